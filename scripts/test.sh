#!/usr/bin/env bash
# The test command of the README: installs nats-server and Chromium if needed, then runs every
# test (unit tests, end-to-end tests against a real nats-server, the dashboard in a real browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
export PATH="$PATH:$HOME/.local/bin:/usr/sbin"
cargo test --workspace
