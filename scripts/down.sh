#!/usr/bin/env bash
# Stops the apps started by `npm run up` (Postgres and Redis keep running).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1
for name in api dispatcher rating relay; do
  pidfile=".run/$name.pid"
  [[ -f $pidfile ]] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    [[ $quiet == 1 ]] || echo "stopped $name ($pid)"
  fi
  rm -f "$pidfile"
done
