#!/usr/bin/env bash
# What the tests need besides Rust: nats-server (scripts/install-nats-server.sh) and a headless
# Chromium for the dashboard test (Debian's `chromium`), plus systemd-analyze for the deploy check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-nats-server.sh
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
(command -v chromium || command -v chromium-browser) >/dev/null 2>&1 \
  || { echo "chromium could not be installed" >&2; exit 1; }
