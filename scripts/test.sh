#!/usr/bin/env bash
# The test command of the README: installs nats-server if needed, then runs every test
# (unit tests and the end-to-end tests against a real nats-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-nats-server.sh
export PATH="$PATH:$HOME/.local/bin:/usr/sbin"
cargo test --workspace
