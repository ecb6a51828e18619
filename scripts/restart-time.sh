#!/usr/bin/env bash
# How long `npm start` takes to a ready service (GET /readyz 200), on a fresh DATA_DIR: the
# restart time after a crash. Run it twice: the second run sees an unchanged tree.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-3999}
data=$(mktemp -d)
# Its own process group, so that npm, its shell and node all stop with it.
trap 'kill -- -"$pid" 2>/dev/null || true; sleep 0.2; rm -rf "$data"' EXIT
start=$(date +%s.%N)
if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
  echo "port $port is already serving: stop that first, or set PORT" >&2
  exit 1
fi
DATA_DIR="$data" PORT="$port" LOG_LEVEL=warn setsid npm start --silent >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
end=$(date +%s.%N)
printf 'ready in %.2f s\n' "$(echo "$end - $start" | bc)"
