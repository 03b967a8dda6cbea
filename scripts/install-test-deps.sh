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
# systemd-analyze (Debian's `systemd`) for the deploy test's unit check, which fails without it.
if ! command -v systemd-analyze >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq systemd >/dev/null
fi
command -v systemd-analyze >/dev/null 2>&1 \
  || { echo "systemd-analyze could not be installed" >&2; exit 1; }
# `ip` (iproute2) for the cluster link-cut test, which builds network namespaces as root (it
# skips, loudly, when it cannot).
if ! command -v ip >/dev/null 2>&1 && [ ! -x /usr/sbin/ip ] && [ ! -x /sbin/ip ] && [ "$(id -u)" -eq 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null; } \
    || echo "iproute2 could not be installed: the link-cut test will be skipped" >&2
fi
