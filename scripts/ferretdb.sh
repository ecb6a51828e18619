#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (a MongoDB wire-protocol server) with Go and starts it on loopback with
# its SQLite backend in a temporary directory, so the MongoDB read-model adapter is tested
# against a real server in CI. Not for production: use MongoDB (docker-compose.yml).
#
#   eval "$(scripts/ferretdb.sh start)"   # exports MONGODB_URL and FERRETDB_PID
#   scripts/ferretdb.sh build              # only build; prints the binary's path
#
# Why not just `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the module proxy
# here refuses the version listing that `go install pkg@version` asks for, and a binary built
# from the module zip panics at start because its build/version/version.txt is empty (it is
# generated in FerretDB's own release build). So this downloads exactly v1.24.2 with
# `go mod download` (checked against the Go checksum database), copies it, writes the version
# file, and builds `cmd/ferretdb` with `go build`. The binary is cached per version.
set -euo pipefail

VERSION=v1.24.2
MODULE=github.com/FerretDB/FerretDB
CACHE_DIR="${FERRETDB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/backoffice-ledger/ferretdb-$VERSION}"
BINARY="$CACHE_DIR/ferretdb"

log() { echo "ferretdb.sh: $*" >&2; }

build() {
  if [ -x "$BINARY" ]; then
    return
  fi
  command -v go >/dev/null || { log "Go is needed to build FerretDB"; exit 1; }
  log "building FerretDB $VERSION (once; cached in $CACHE_DIR)"
  local source_dir work
  source_dir="$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$source_dir" ] || { log "go mod download gave no source directory"; exit 1; }
  work="$(mktemp -d)"
  cp -R "$source_dir/." "$work/"
  chmod -R u+w "$work"
  echo "$VERSION" >"$work/build/version/version.txt"
  mkdir -p "$CACHE_DIR"
  (cd "$work" && GOFLAGS=-mod=mod go build -o "$BINARY.partial" ./cmd/ferretdb) >&2
  mv "$BINARY.partial" "$BINARY"
  rm -rf "$work"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  build
  local data_dir port pid
  data_dir="$(mktemp -d)"
  port="$(free_port)"
  "$BINARY" \
    --handler=sqlite \
    --sqlite-url="file:$data_dir/" \
    --state-dir="$data_dir" \
    --listen-addr="127.0.0.1:$port" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level=error \
    >"$data_dir/ferretdb.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      log "FerretDB $VERSION listening on 127.0.0.1:$port (pid $pid, data in $data_dir)"
      echo "export MONGODB_URL='mongodb://127.0.0.1:$port/'"
      echo "export FERRETDB_PID=$pid"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "FerretDB exited at start:"
      cat "$data_dir/ferretdb.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  log "FerretDB did not listen within 10 s"
  kill "$pid" || true
  exit 1
}

case "${1:-}" in
  build) build && echo "$BINARY" ;;
  start) start ;;
  *) log "usage: $0 build|start"; exit 2 ;;
esac
