#!/usr/bin/env bash
# One command for the whole platform with demo data:
#   services (Postgres+PostGIS, Redis) → npm packages → build → migrate → seed → api, dispatcher, rating, relay.
# Runs in the foreground and stops the four apps on Ctrl-C; `--detach` leaves them running
# (stop them with `npm run down`). Logs go to .run/<app>.log.
# `npm run up -- --ha` starts the highly available layout instead (scripts/ha.sh; needs root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/xinyuan}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export ADMIN_PHONE="${ADMIN_PHONE:-13800000000}"
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-Admin#2026}"
API_PORT="${API_PORT:-3000}"
RATING_PORT="${RATING_PORT:-3001}"
# where browsers reach the rating service (the resident H5 rates there)
export RATING_PUBLIC_URL="${RATING_PUBLIC_URL:-http://127.0.0.1:$RATING_PORT}"
# the H5 sites the api serves call the rating app from their own origin
export CORS_ORIGINS="${CORS_ORIGINS:-http://127.0.0.1:$API_PORT,http://localhost:$API_PORT}"
DISPATCHER_PORT="${DISPATCHER_PORT:-3002}"
RELAY_PORT="${RELAY_PORT:-3003}"
detach=0 ha=0
for arg in "$@"; do
  case $arg in
    --detach) detach=1 ;;
    --ha) ha=1 ;;
  esac
done

if [[ $ha == 1 ]]; then
  # the highly available layout (scripts/ha.sh): its own Postgres (Patroni), Redis (Sentinel), two
  # apis behind HAProxy on :8080, three dispatchers, rating on :3030, Prometheus on :9095
  bash scripts/deps.sh
  npm run --silent build
  bash scripts/build-web.sh --no-mp
  bash scripts/ha.sh up --seed
  if [[ $detach == 1 ]]; then
    echo "Detached. Stop with: bash scripts/ha.sh down"
    exit 0
  fi
  echo "Press Ctrl-C to stop."
  trap 'bash scripts/ha.sh down; exit 0' INT TERM
  while :; do
    sleep 3600 &
    wait $!
  done
fi

bash scripts/services.sh
bash scripts/deps.sh
npm run --silent build
# the console and the resident/volunteer H5 sites, served by the api (mini-programs: npm run build:web)
bash scripts/build-web.sh --no-mp
node dist/libs/database/src/cli/migrate.js
node dist/libs/database/src/cli/seed.js

mkdir -p .run
bash scripts/down.sh --quiet || true
start() {
  local name=$1 port=$2
  PORT=$port nohup node --max-semi-space-size=8 --max-old-space-size=1536 "dist/apps/$name/src/main.js" >".run/$name.log" 2>&1 &
  echo $! >".run/$name.pid"
}
start api "$API_PORT"
start dispatcher "$DISPATCHER_PORT"
start rating "$RATING_PORT"
start relay "$RELAY_PORT"

for pair in "api:$API_PORT" "dispatcher:$DISPATCHER_PORT" "rating:$RATING_PORT" "relay:$RELAY_PORT"; do
  name=${pair%%:*} port=${pair##*:}
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$(cat ".run/$name.pid")" 2>/dev/null; then
      echo "[up] $name failed to start; its log:" >&2
      tail -50 ".run/$name.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null || { echo "[up] $name did not answer on :$port" >&2; exit 1; }
done

cat <<MSG

心愿 Xinyuan is running.
  console     http://127.0.0.1:$API_PORT/console/        (dispatcher 13800000001, admin $ADMIN_PHONE)
  resident    http://127.0.0.1:$API_PORT/h5/resident/    (13700000001)
  volunteer   http://127.0.0.1:$API_PORT/h5/volunteer/   (13900000049)
  api         http://127.0.0.1:$API_PORT      (OpenAPI: http://127.0.0.1:$API_PORT/api/docs)
  rating      http://127.0.0.1:$RATING_PORT
  dispatcher  http://127.0.0.1:$DISPATCHER_PORT/health, /metrics
  relay       http://127.0.0.1:$RELAY_PORT/health, /metrics   (notifications; SMS_PROVIDER=log writes texts to .run/relay.log)
  logs        .run/api.log .run/dispatcher.log .run/rating.log .run/relay.log
Demo accounts (see README): admin $ADMIN_PHONE / $ADMIN_PASSWORD; others use the demo password.
MSG

if [[ $detach == 1 ]]; then
  echo "Detached. Stop with: npm run down"
  exit 0
fi
echo "Press Ctrl-C to stop."
trap 'bash scripts/down.sh; exit 0' INT TERM
wait
