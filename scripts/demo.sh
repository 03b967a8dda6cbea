#!/usr/bin/env bash
# The main job of the README: installs nats-server if needed, builds newsflow, starts
# `newsflow up` (with its own local nats-server), drops seeds/ into the inbox and prints the
# result records as they arrive; then shuts down cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-nats-server.sh
export PATH="$PATH:$HOME/.local/bin:/usr/sbin"
cargo build --release -p newsflow-cli
bin=target/release/newsflow
demo=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export NEWSFLOW_STATE_DIR="$demo/state" NEWSFLOW_INBOX="$demo/inbox"
cat > "$demo/newsflow.toml" <<TOML
version = 1
[nats]
managed_port = $port
TOML
"$bin" --config "$demo/newsflow.toml" up > "$demo/up.out" 2> "$demo/up.log" &
up_pid=$!
trap 'kill -TERM $up_pid 2>/dev/null; wait $up_pid 2>/dev/null; rm -rf "$demo"' EXIT
for _ in $(seq 1 100); do grep -q "newsflow is up" "$demo/up.out" 2>/dev/null && break; sleep 0.2; done
mkdir -p "$demo/inbox"
for seed in seeds/*; do
  cp "$seed" "$demo/inbox/.$(basename "$seed").part"
  mv "$demo/inbox/.$(basename "$seed").part" "$demo/inbox/$(basename "$seed")"
done
echo "dropped $(ls seeds | wc -l) seeds into $demo/inbox; results from newsflow.results.>:" >&2
"$bin" --config "$demo/newsflow.toml" tail --nats "nats://127.0.0.1:$port" --count "$(ls seeds | wc -l)" --idle-timeout 120
