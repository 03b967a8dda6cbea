#!/usr/bin/env bash
# The main job of the README: installs nats-server if needed, builds newsflow, starts
# `newsflow up` (with its own local nats-server), drops seeds/ into the inbox and shows what
# newsflow found in each article as it arrives; then shuts down and removes its temp folder.
#
#   NEWSFLOW_DEMO_PROFILE=dev   build a debug binary instead of a release one
#   NEWSFLOW_DEMO_BIN=PATH      skip the build and run this binary (the e2e test passes its own)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-nats-server.sh
export PATH="$PATH:$HOME/.local/bin:/usr/sbin"

if [ -n "${NEWSFLOW_DEMO_BIN:-}" ]; then
  bin=$NEWSFLOW_DEMO_BIN
else
  # Where the binary lands is cargo's to say (CARGO_TARGET_DIR, .cargo/config.toml, ./target):
  # the `executable` of its compiler-artifact message.
  bin=$(cargo build --profile "${NEWSFLOW_DEMO_PROFILE:-release}" -p newsflow-cli --bin newsflow \
          --message-format=json-render-diagnostics \
        | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
fi
if [ ! -x "$bin" ]; then
  echo "demo: no newsflow binary (cargo reported '${bin}')" >&2
  exit 1
fi

demo=$(mktemp -d)
up_pid=""
cleanup() {
  # Every step, whatever fails: no `set -e` here.
  set +e
  if [ -n "$up_pid" ]; then
    kill -TERM "$up_pid" 2>/dev/null
    wait "$up_pid" 2>/dev/null
  fi
  rm -rf "$demo"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export NEWSFLOW_STATE_DIR="$demo/state" NEWSFLOW_INBOX="$demo/inbox"
# Any free port for nats-server and the dashboard: the demo never collides with a running one.
cat > "$demo/newsflow.toml" <<TOML
version = 1
[http]
listen = "127.0.0.1:0"
TOML
mkdir -p "$demo/inbox"
"$bin" --config "$demo/newsflow.toml" up > "$demo/up.out" 2> "$demo/up.log" &
up_pid=$!
# The first start loads the models; a failed start shows at once, with up's own log.
started=""
for _ in $(seq 1 600); do
  if grep -q "newsflow is up" "$demo/up.out" 2>/dev/null; then started=yes; break; fi
  kill -0 "$up_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$started" ]; then
  if kill -0 "$up_pid" 2>/dev/null; then
    echo "demo: newsflow up did not start within 60 s; its log:" >&2
  else
    wait "$up_pid" && status=0 || status=$?
    up_pid=""
    echo "demo: newsflow up exited with status $status; its log:" >&2
  fi
  cat "$demo/up.log" >&2
  exit 1
fi
url=$(cat "$demo/state/nats/url")
sed 's/^/  /' "$demo/up.out"

seeds=(seeds/*)
for seed in "${seeds[@]}"; do
  name=$(basename "$seed")
  # The way a careful producer drops a file: a hidden temp name, then a rename.
  cp "$seed" "$demo/inbox/.$name.part"
  mv "$demo/inbox/.$name.part" "$demo/inbox/$name"
done
echo
echo "dropped ${#seeds[@]} articles from seeds/ into $demo/inbox; what newsflow found:"
echo
RUST_LOG=warn "$bin" --config "$demo/newsflow.toml" tail --nats "$url" --pretty \
  --count "${#seeds[@]}" --idle-timeout 120 | tee "$demo/found.txt"
found=$(grep -c '^[*x] ' "$demo/found.txt" || true)
if [ "$found" -ne "${#seeds[@]}" ]; then
  echo "demo: $found of ${#seeds[@]} articles came out; newsflow up's log:" >&2
  cat "$demo/up.log" >&2
  exit 1
fi
cat <<TEXT
The full records are JSON lines (body, summary, keywords, byline, every entity and quote;
schema/record.schema.json), with newsflow = $bin:
  newsflow tail              the results of a running \`newsflow up\` (--pretty: the view above)
  newsflow process seeds/    the same stages without NATS, one JSON line per file
TEXT

kill -TERM "$up_pid"
wait "$up_pid" && status=0 || status=$?
up_pid=""
if [ "$status" -ne 0 ]; then
  echo "demo: newsflow up exited with status $status on SIGTERM; its log:" >&2
  cat "$demo/up.log" >&2
  exit 1
fi
echo "newsflow up stopped cleanly"
