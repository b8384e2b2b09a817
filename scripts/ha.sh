#!/usr/bin/env bash
# The highly available layout on one machine, from Debian packages (no Docker):
#
#   etcd ── Patroni pg1 (primary) ⇄ Patroni pg2 (streaming replica)       WAL archive + base backups
#              ▲ REST checks (/primary, /replica)
#   HAProxy :5450 → primary, :5451 → replica ◀── PgBouncer :6432 (xinyuan → primary, xinyuan_ro → replica)
#   Redis :6380 (master) ⇄ :6381 (replica), three Sentinels :26380-26382 (master name "xinyuan")
#   api ×2 (:3010, :3011) behind HAProxy :8080 (/health/ready checks), dispatcher ×3, rating :3030,
#   the notification relay :3040
#   Prometheus :9095 scraping every app, Patroni and itself
#
#   bash scripts/ha.sh up [--seed]     start everything (installs missing packages), migrate, optionally seed
#   bash scripts/ha.sh down            stop everything started here (keeps the state directory)
#   bash scripts/ha.sh destroy         down, then delete the state directory
#   bash scripts/ha.sh status          which component runs, Patroni's view, the Redis master
#   bash scripts/ha.sh env             the environment the apps of this layout get (for your own tools)
#   bash scripts/ha.sh packages        only install what is missing (npm test does this first)
#   bash scripts/ha.sh start NAME | stop NAME | kill NAME     one component (the chaos suite uses these)
#   bash scripts/ha.sh isolate NAME SECONDS                   cut a namespaced dispatcher off from Redis
#
# Components: etcd pg1 pg2 haproxy pgbouncer redis1 redis2 sentinel1 sentinel2 sentinel3
#             api1 api2 dispatcher1 dispatcher2 dispatcher3 rating relay prometheus
#
# Env: XINYUAN_HA_DIR   state directory (default /tmp/xinyuan-ha): data, configs, logs, pid files
#      HA_PORT_OFFSET   added to every port (default 0; the test suite uses 10000)
#      HA_NET           third octet of the private link to dispatcher3's network namespace (default 231)
#
# Everything listens on 127.0.0.1, except what dispatcher3 must reach from its network namespace
# (PgBouncer, Redis, Sentinels), which also listens on the root side of that namespace's veth link
# (10.<HA_NET>.0.1 / .5): a private link between two namespaces of this machine.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${XINYUAN_HA_DIR:-/tmp/xinyuan-ha}"
OFF="${HA_PORT_OFFSET:-0}"
NET="${HA_NET:-231}"
PGVER="${HA_PG_VERSION:-15}"
PGBIN="/usr/lib/postgresql/$PGVER/bin"

p() { echo $(($1 + OFF)); }
ETCD_CLIENT=$(p 2389) ETCD_PEER=$(p 2390)
PG1=$(p 5441) PG2=$(p 5442) REST1=$(p 8008) REST2=$(p 8009)
HAP_RW=$(p 5450) HAP_RO=$(p 5451) HAP_API=$(p 8080) HAP_STATS=$(p 8404)
BOUNCER=$(p 6432)
REDIS1=$(p 6380) REDIS2=$(p 6381) SENT1=$(p 26380) SENT2=$(p 26381) SENT3=$(p 26382)
API1=$(p 3010) API2=$(p 3011) DISP1=$(p 3020) DISP2=$(p 3021) DISP3=$(p 3022) RATING=$(p 3030) RELAY=$(p 3040)
PROM=$(p 9095)
NS="xinyuan-ha-$NET"
LINK_ROOT="10.$NET.0.1" LINK_REDIS="10.$NET.0.5" LINK_NS="10.$NET.0.2"
VETH_ROOT="xyha${NET}r" VETH_NS="xyha${NET}n"
SCOPE="xinyuan-ha-$NET"

log() { printf '[ha] %s\n' "$*" >&2; }
die() {
  printf '[ha] ERROR: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# packages
# ---------------------------------------------------------------------------------------------
ensure_packages() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni python3-etcd)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v pgbouncer >/dev/null || missing+=(pgbouncer)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v prometheus >/dev/null || missing+=(prometheus)
  [[ -x "$PGBIN/postgres" ]] || missing+=("postgresql-$PGVER")
  [[ -f "/usr/share/postgresql/$PGVER/extension/postgis.control" ]] || missing+=("postgresql-$PGVER-postgis-3")
  command -v ip >/dev/null || missing+=(iproute2)
  command -v curl >/dev/null || missing+=(curl)
  # the test suite validates docker-compose.yml with Debian's docker-compose
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  ((${#missing[@]})) || return 0
  [[ "$(id -u)" == 0 ]] || die "installing ${missing[*]} needs root"
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2 </dev/null || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >&2 </dev/null ||
    die "apt-get install ${missing[*]} failed"
  # the packages may start their default instances; this layout runs its own on its own ports
  for svc in etcd haproxy pgbouncer redis-sentinel prometheus; do
    service "$svc" stop >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------------------------------------
# configuration files
# ---------------------------------------------------------------------------------------------
write_configs() {
  mkdir -p "$DIR"/{run,log,conf,etcd,wal-archive,backups,redis1,redis2,sentinel1,sentinel2,sentinel3,prometheus}
  mkdir -p "$DIR/pg1" "$DIR/pg2"
  chown postgres:postgres "$DIR/pg1" "$DIR/pg2" "$DIR/wal-archive" "$DIR/backups" "$DIR/log" "$DIR/run"
  chmod 700 "$DIR/pg1" "$DIR/pg2"
  chmod 755 "$DIR"
  [[ -f "$DIR/conf/metrics-token" ]] || head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$DIR/conf/metrics-token"

  local node rest pgport
  for node in pg1 pg2; do
    if [[ $node == pg1 ]]; then rest=$REST1 pgport=$PG1; else rest=$REST2 pgport=$PG2; fi
    cat >"$DIR/conf/$node.yml" <<YAML
scope: $SCOPE
namespace: /xinyuan/
name: $node
log:
  dir: $DIR/log/$node-patroni
  level: INFO
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT
bootstrap:
  dcs:
    # a leader that stops renewing its key is replaced after ttl seconds
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 16777216
    # a commit is acknowledged once the replica has it, and only that replica may be promoted:
    # with asynchronous replication the chaos suite lost orders answered 201 just before a crash.
    # Not strict: with the replica down the primary keeps accepting writes alone.
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        max_connections: 200
        # two Postgres nodes share this box with everything else: 128MB each, not pg-tune.sh's 1GB
        shared_buffers: 128MB
        # as scripts/pg-tune.sh (docs/postgres.md); wal_compression matters more here, where
        # wal_log_hints and data checksums add full-page images
        max_wal_size: 4GB
        min_wal_size: 1GB
        checkpoint_timeout: 15min
        wal_compression: lz4
        autovacuum_naptime: 30s
        autovacuum_vacuum_scale_factor: 0.05
        autovacuum_analyze_scale_factor: 0.05
        autovacuum_vacuum_insert_scale_factor: 0.1
        archive_mode: 'on'
        archive_command: 'test ! -f $DIR/wal-archive/%f && cp %p $DIR/wal-archive/%f'
        archive_timeout: 30
        jit: 'off'
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
    - host replication postgres 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$pgport
  connect_address: 127.0.0.1:$pgport
  data_dir: $DIR/$node/data
  bin_dir: $PGBIN
  pgpass: $DIR/$node/pgpass
  authentication:
    replication:
      username: replicator
      password: replicator
    superuser:
      username: postgres
      password: postgres
    rewind:
      username: postgres
      password: postgres
  parameters:
    unix_socket_directories: $DIR/$node
  # a restarted node that was ahead of the new primary is rewound, or re-cloned
  remove_data_directory_on_rewind_failure: true
  remove_data_directory_on_diverged_timelines: true
YAML
  done

  cat >"$DIR/conf/haproxy.cfg" <<CFG
global
  maxconn 4000
  log stdout format raw local0 notice

defaults
  log global
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 2s

listen stats
  mode http
  bind 127.0.0.1:$HAP_STATS
  stats enable
  stats uri /

# Patroni's REST API answers 200 on /primary only on the leader and on /replica only on a
# streaming replica: HAProxy follows a failover within a few checks and cuts sessions to a
# demoted node.
listen postgres_primary
  bind 127.0.0.1:$HAP_RW
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
  server pg1 127.0.0.1:$PG1 maxconn 180 check port $REST1
  server pg2 127.0.0.1:$PG2 maxconn 180 check port $REST2

listen postgres_replicas
  bind 127.0.0.1:$HAP_RO
  balance roundrobin
  option httpchk GET /replica
  http-check expect status 200
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
  server pg1 127.0.0.1:$PG1 maxconn 180 check port $REST1
  server pg2 127.0.0.1:$PG2 maxconn 180 check port $REST2

frontend api
  mode http
  bind 127.0.0.1:$HAP_API
  timeout client 60s
  option forwardfor
  # metrics and the probes are for Prometheus and this balancer, not for the outside
  http-request deny deny_status 404 if { path_beg /metrics }
  default_backend api

backend api
  mode http
  timeout server 60s
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  # a request that never reached an api (connection refused) goes to the other one
  retry-on conn-failure empty-response
  retries 2
  option redispatch
  default-server inter 1s fall 2 rise 1
  server api1 127.0.0.1:$API1 check
  server api2 127.0.0.1:$API2 check
  errorfile 503 $DIR/conf/haproxy-503.http
CFG
  printf 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-store\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 2\r\nConnection: close\r\n\r\n{"statusCode":503,"error":"Service Unavailable","message":"服务正在切换，请稍后再试","code":"SERVICE_UNAVAILABLE","retryAfterSeconds":2}\n' >"$DIR/conf/haproxy-503.http"

  # session pooling: the apps' session settings (SET on connect) and LISTEN need a server
  # connection per client connection; PgBouncer bounds the connections Postgres sees and
  # reconnects to the new primary through HAProxy after a failover
  cat >"$DIR/conf/pgbouncer.ini" <<INI
[databases]
xinyuan = host=127.0.0.1 port=$HAP_RW dbname=xinyuan
xinyuan_ro = host=127.0.0.1 port=$HAP_RO dbname=xinyuan
postgres = host=127.0.0.1 port=$HAP_RW dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1,$LINK_ROOT
listen_port = $BOUNCER
unix_socket_dir =
auth_type = trust
auth_file = $DIR/conf/pgbouncer-users.txt
pool_mode = session
max_client_conn = 1000
default_pool_size = 60
server_connect_timeout = 3
server_login_retry = 1
query_wait_timeout = 10
ignore_startup_parameters = extra_float_digits
logfile = $DIR/log/pgbouncer.log
admin_users = postgres
INI
  echo '"postgres" ""' >"$DIR/conf/pgbouncer-users.txt"
  chown postgres:postgres "$DIR/conf/pgbouncer.ini" "$DIR/conf/pgbouncer-users.txt"

  local i port
  for i in 1 2; do
    port=$([[ $i == 1 ]] && echo "$REDIS1" || echo "$REDIS2")
    {
      echo "port $port"
      echo "bind 127.0.0.1 $LINK_REDIS"
      echo "protected-mode no"
      echo "dir $DIR/redis$i"
      echo "logfile $DIR/log/redis$i.log"
      echo "pidfile $DIR/run/redis$i.pid"
      echo "daemonize yes"
      # Redis only carries work (Postgres is the truth): no persistence
      echo 'save ""'
      echo "appendonly no"
      echo "replica-announce-ip $LINK_REDIS"
      [[ $i == 2 ]] && echo "replicaof $LINK_REDIS $REDIS1"
    } >"$DIR/conf/redis$i.conf"
  done
  for i in 1 2 3; do
    port=$(p $((26379 + i)))
    # sentinels rewrite their own file: written once, kept across restarts
    [[ -f "$DIR/conf/sentinel$i.conf" ]] && continue
    cat >"$DIR/conf/sentinel$i.conf" <<CONF
port $port
bind 127.0.0.1 $LINK_REDIS
protected-mode no
daemonize yes
dir $DIR/sentinel$i
logfile $DIR/log/sentinel$i.log
pidfile $DIR/run/sentinel$i.pid
sentinel announce-ip $LINK_REDIS
sentinel monitor xinyuan $LINK_REDIS $REDIS1 2
sentinel down-after-milliseconds xinyuan 2000
sentinel failover-timeout xinyuan 10000
sentinel parallel-syncs xinyuan 1
CONF
  done

  local token
  token="$(cat "$DIR/conf/metrics-token")"
  cat >"$DIR/conf/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: xinyuan
    authorization:
      credentials: $token
    static_configs:
      - targets: ['127.0.0.1:$API1', '127.0.0.1:$API2']
        labels: { kind: api }
      - targets: ['127.0.0.1:$DISP1', '127.0.0.1:$DISP2', '$LINK_NS:$DISP3']
        labels: { kind: dispatcher }
      - targets: ['127.0.0.1:$RATING']
        labels: { kind: rating }
      - targets: ['127.0.0.1:$RELAY']
        labels: { kind: relay }
  - job_name: patroni
    static_configs:
      - targets: ['127.0.0.1:$REST1', '127.0.0.1:$REST2']
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$PROM']
YAML
}

# ---------------------------------------------------------------------------------------------
# the network namespace of dispatcher3
# ---------------------------------------------------------------------------------------------
ensure_netns() {
  if ! ip netns list | grep -qw "$NS"; then
    ip netns add "$NS"
  fi
  if ! ip link show "$VETH_ROOT" >/dev/null 2>&1; then
    ip link add "$VETH_ROOT" type veth peer name "$VETH_NS"
    ip link set "$VETH_NS" netns "$NS"
  fi
  ip addr replace "$LINK_ROOT/24" dev "$VETH_ROOT"
  ip addr replace "$LINK_REDIS/24" dev "$VETH_ROOT"
  ip link set "$VETH_ROOT" up
  ip netns exec "$NS" ip addr replace "$LINK_NS/24" dev "$VETH_NS"
  ip netns exec "$NS" ip link set "$VETH_NS" up
  ip netns exec "$NS" ip link set lo up
}

remove_netns() {
  ip link del "$VETH_ROOT" >/dev/null 2>&1 || true
  ip netns del "$NS" >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------------------------
pidfile() { echo "$DIR/run/$1.pid"; }
running() {
  local f
  f="$(pidfile "$1")"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# background <name> <user> <command...>: detached, output to log/<name>.log, pid to run/<name>.pid
background() {
  local name=$1 user=$2
  shift 2
  local out="$DIR/log/$name.log"
  if [[ $user == root ]]; then
    setsid nohup "$@" >>"$out" 2>&1 </dev/null &
  else
    touch "$out" && chown "$user" "$out"
    setsid nohup runuser -u "$user" -- "$@" >>"$out" 2>&1 </dev/null &
  fi
  echo $! >"$(pidfile "$name")"
}

app_env() {
  local token
  token="$(cat "$DIR/conf/metrics-token")"
  cat <<ENV
DATABASE_URL=postgres://postgres@127.0.0.1:$BOUNCER/xinyuan
DATABASE_READ_URL=postgres://postgres@127.0.0.1:$BOUNCER/xinyuan_ro
REDIS_URL=redis://127.0.0.1:$REDIS1/0
REDIS_SENTINELS=127.0.0.1:$SENT1,127.0.0.1:$SENT2,127.0.0.1:$SENT3
REDIS_SENTINEL_NAME=xinyuan
QUEUE_PREFIX=${HA_QUEUE_PREFIX:-xinyuan}
METRICS_TOKEN=$token
TRUSTED_PROXIES=loopback
SHUTDOWN_DRAIN_MS=${HA_SHUTDOWN_DRAIN_MS:-2000}
DB_POOL_SIZE=${HA_DB_POOL_SIZE:-10}
ADMIN_PHONE=${ADMIN_PHONE:-13800000000}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-Admin#2026}
RATING_PUBLIC_URL=${RATING_PUBLIC_URL:-http://127.0.0.1:$RATING}
CORS_ORIGINS=${CORS_ORIGINS:-http://127.0.0.1:$HAP_API,http://localhost:$HAP_API}
ENV
  # extra settings for the apps (the test suite's fast timers): HA_APP_ENV_FILE, KEY=VALUE lines
  [[ -n "${HA_APP_ENV_FILE:-}" && -f "$HA_APP_ENV_FILE" ]] && grep -E "^[A-Z_][A-Z0-9_]*=" "$HA_APP_ENV_FILE"
  return 0
}

start_app() {
  local name=$1 app=$2 port=$3 netns=${4:-}
  local envs=() db_host=127.0.0.1 listen=127.0.0.1
  if [[ -n $netns ]]; then db_host=$LINK_ROOT listen=0.0.0.0; fi
  mapfile -t envs < <(app_env | sed "s/^DATABASE_URL=postgres:\/\/postgres@127.0.0.1/DATABASE_URL=postgres:\/\/postgres@$db_host/")
  envs+=("PORT=$port" "HOST=$listen")
  if [[ -n $netns ]]; then
    # inside the namespace the sentinels are reached on the link, not on loopback
    envs=("${envs[@]/REDIS_SENTINELS=*/REDIS_SENTINELS=$LINK_REDIS:$SENT1,$LINK_REDIS:$SENT2,$LINK_REDIS:$SENT3}")
    envs=("${envs[@]/DATABASE_READ_URL=*/DATABASE_READ_URL=postgres://postgres@$LINK_ROOT:$BOUNCER/xinyuan_ro}")
    background "$name" root ip netns exec "$NS" env "${envs[@]}" node --max-semi-space-size=8 --max-old-space-size=1536 "$ROOT_DIR/dist/apps/$app/src/main.js"
  else
    background "$name" root env "${envs[@]}" node --max-semi-space-size=8 --max-old-space-size=1536 "$ROOT_DIR/dist/apps/$app/src/main.js"
  fi
}

start_one() {
  local name=$1
  running "$name" && return 0
  case $name in
    etcd)
      background etcd root etcd --name "$SCOPE" --data-dir "$DIR/etcd" \
        --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
        --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
        --initial-cluster "$SCOPE=http://127.0.0.1:$ETCD_PEER" --initial-cluster-state new \
        --listen-metrics-urls "http://127.0.0.1:$(p 2391)"
      ;;
    pg1 | pg2)
      mkdir -p "$DIR/log/$name-patroni" && chown postgres:postgres "$DIR/log/$name-patroni"
      background "$name" postgres patroni "$DIR/conf/$name.yml"
      ;;
    haproxy) background haproxy root haproxy -db -f "$DIR/conf/haproxy.cfg" ;;
    pgbouncer) background pgbouncer postgres pgbouncer "$DIR/conf/pgbouncer.ini" ;;
    redis1 | redis2)
      redis-server "$DIR/conf/$name.conf" >/dev/null
      ;;
    sentinel1 | sentinel2 | sentinel3)
      redis-sentinel "$DIR/conf/$name.conf" >/dev/null
      ;;
    api1) start_app api1 api "$API1" ;;
    api2) start_app api2 api "$API2" ;;
    dispatcher1) start_app dispatcher1 dispatcher "$DISP1" ;;
    dispatcher2) start_app dispatcher2 dispatcher "$DISP2" ;;
    dispatcher3) start_app dispatcher3 dispatcher "$DISP3" netns ;;
    rating) start_app rating rating "$RATING" ;;
    relay) start_app relay relay "$RELAY" ;;
    prometheus)
      background prometheus root prometheus --config.file "$DIR/conf/prometheus.yml" --storage.tsdb.path "$DIR/prometheus" \
        --web.listen-address "127.0.0.1:$PROM" --storage.tsdb.retention.time 2d
      ;;
    *) die "unknown component $name" ;;
  esac
}

# stop_one <name> [signal]: TERM waits up to 20 s (graceful), KILL is a crash
stop_one() {
  local name=$1 signal=${2:-TERM}
  local f pid
  f="$(pidfile "$name")"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if [[ $name == pg1 || $name == pg2 ]] && [[ $signal == KILL ]]; then
    # a crash of the whole node: Patroni and its postmaster (the backends follow the postmaster)
    local pm="$DIR/$name/data/postmaster.pid"
    [[ -f "$pm" ]] && kill -KILL "$(head -1 "$pm")" 2>/dev/null || true
  fi
  if kill -0 "$pid" 2>/dev/null; then
    # the whole process group: `runuser` / `ip netns exec` wrappers and what they started
    kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 200); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  if [[ $name == pg1 || $name == pg2 ]]; then
    # Patroni stops its postgres on TERM; make sure no postmaster outlives a KILL
    local pm="$DIR/$name/data/postmaster.pid"
    if [[ -f "$pm" ]] && kill -0 "$(head -1 "$pm")" 2>/dev/null; then
      kill -KILL "$(head -1 "$pm")" 2>/dev/null || true
    fi
  fi
  rm -f "$f"
}

wait_until() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what did not come up within ${seconds}s (logs in $DIR/log)"
    sleep 0.5
  done
  log "$what: ok"
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }
pg_rw_ok() { psql -X -w -q -t -A -h 127.0.0.1 -p "$HAP_RW" -U postgres -d postgres -c 'SELECT 1' | grep -q 1; }
replica_streaming() {
  psql -X -w -q -t -A -h 127.0.0.1 -p "$HAP_RW" -U postgres -d postgres -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" | grep -q '^[1-9]'
}
redis_master_ok() { redis-cli -p "$SENT1" sentinel get-master-addr-by-name xinyuan | grep -q "$LINK_REDIS"; }

up() {
  local seed=0 apps=1
  for a in "$@"; do
    case $a in
      --seed) seed=1 ;;
      --no-apps) apps=0 ;;
    esac
  done
  [[ "$(id -u)" == 0 ]] || die "the HA layout runs its engines as their own users and needs root"
  ensure_packages
  write_configs
  ensure_netns
  start_one etcd
  wait_until "etcd :$ETCD_CLIENT" 30 http_ok "http://127.0.0.1:$ETCD_CLIENT/health"
  start_one pg1
  wait_until "Patroni pg1 primary" 90 http_ok "http://127.0.0.1:$REST1/primary"
  start_one pg2
  start_one haproxy
  start_one pgbouncer
  for c in redis1 redis2 sentinel1 sentinel2 sentinel3; do start_one "$c"; done
  wait_until "HAProxy → primary :$HAP_RW" 30 pg_rw_ok
  wait_until "Patroni pg2 replica streaming" 90 replica_streaming
  wait_until "Sentinel master" 30 redis_master_ok
  ((apps)) || return 0
  [[ -f "$ROOT_DIR/dist/apps/api/src/main.js" ]] || die "dist/ is missing: npm run build first"
  DATABASE_URL="postgres://postgres@127.0.0.1:$HAP_RW/xinyuan" node "$ROOT_DIR/dist/libs/database/src/cli/migrate.js" >&2
  if ((seed)); then
    DATABASE_URL="postgres://postgres@127.0.0.1:$HAP_RW/xinyuan" node "$ROOT_DIR/dist/libs/database/src/cli/seed.js" >&2
  fi
  for c in api1 api2 dispatcher1 dispatcher2 dispatcher3 rating relay; do start_one "$c"; done
  wait_until "api1 :$API1" 90 http_ok "http://127.0.0.1:$API1/health/ready"
  wait_until "api2 :$API2" 90 http_ok "http://127.0.0.1:$API2/health/ready"
  wait_until "dispatcher1 :$DISP1" 90 http_ok "http://127.0.0.1:$DISP1/health/ready"
  wait_until "dispatcher2 :$DISP2" 90 http_ok "http://127.0.0.1:$DISP2/health/ready"
  wait_until "dispatcher3 (namespace $NS)" 90 ip netns exec "$NS" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$DISP3/health/ready"
  wait_until "rating :$RATING" 90 http_ok "http://127.0.0.1:$RATING/health/ready"
  wait_until "relay :$RELAY" 90 http_ok "http://127.0.0.1:$RELAY/health/ready"
  wait_until "HAProxy → api :$HAP_API" 30 http_ok "http://127.0.0.1:$HAP_API/health/ready"
  start_one prometheus
  cat <<MSG

心愿 Xinyuan, highly available layout (state in $DIR):
  api (HAProxy)      http://127.0.0.1:$HAP_API        → api1 :$API1, api2 :$API2
  rating             http://127.0.0.1:$RATING
  notification relay :$RELAY (health and metrics only)
  dispatchers        :$DISP1, :$DISP2, and :$DISP3 inside network namespace $NS ($LINK_NS)
  Postgres           Patroni pg1 :$PG1 / pg2 :$PG2 (REST :$REST1 / :$REST2), etcd :$ETCD_CLIENT
                     HAProxy primary :$HAP_RW, replica :$HAP_RO, PgBouncer :$BOUNCER, stats http://127.0.0.1:$HAP_STATS/
  Redis              :$REDIS1 / :$REDIS2 on $LINK_REDIS, Sentinels :$SENT1 :$SENT2 :$SENT3 (master "xinyuan")
  Prometheus         http://127.0.0.1:$PROM/
  logs               $DIR/log/
Stop with: bash scripts/ha.sh down
MSG
}

down() {
  local c
  for c in prometheus relay rating dispatcher3 dispatcher2 dispatcher1 api2 api1 pgbouncer haproxy; do stop_one "$c"; done
  for c in sentinel1 sentinel2 sentinel3 redis2 redis1; do
    if [[ -f "$(pidfile "$c")" ]]; then
      kill "$(cat "$(pidfile "$c")")" 2>/dev/null || true
      rm -f "$(pidfile "$c")"
    fi
  done
  stop_one pg2
  stop_one pg1
  stop_one etcd
  remove_netns
}

status() {
  local c
  for c in etcd pg1 pg2 haproxy pgbouncer redis1 redis2 sentinel1 sentinel2 sentinel3 api1 api2 dispatcher1 dispatcher2 dispatcher3 rating relay prometheus; do
    if running "$c"; then printf '  %-12s running (pid %s)\n' "$c" "$(cat "$(pidfile "$c")")"; else printf '  %-12s stopped\n' "$c"; fi
  done
  echo "Patroni:"
  curl -fsS --max-time 2 "http://127.0.0.1:$REST1/cluster" 2>/dev/null || curl -fsS --max-time 2 "http://127.0.0.1:$REST2/cluster" 2>/dev/null || echo '  (no answer)'
  echo
  echo "Redis master: $(redis-cli -p "$SENT1" sentinel get-master-addr-by-name xinyuan 2>/dev/null | paste -sd: || echo '?')"
}

isolate() {
  local seconds=${2:-30}
  [[ ${1:-} == dispatcher3 ]] || die "only dispatcher3 runs in its own network namespace"
  log "cutting $NS off from Redis ($LINK_REDIS) for ${seconds}s"
  ip netns exec "$NS" ip route add blackhole "$LINK_REDIS/32"
  sleep "$seconds"
  ip netns exec "$NS" ip route del blackhole "$LINK_REDIS/32"
  log "$NS reaches Redis again"
}

cmd=${1:-}
shift || true
case $cmd in
  up) up "$@" ;;
  down) down ;;
  destroy)
    down
    rm -rf "$DIR"
    ;;
  status) status ;;
  env) app_env ;;
  packages) ensure_packages ;;
  start) start_one "$1" ;;
  stop) stop_one "$1" TERM ;;
  kill)
    if [[ $1 == redis* || $1 == sentinel* ]]; then
      [[ -f "$(pidfile "$1")" ]] && kill -KILL "$(cat "$(pidfile "$1")")" 2>/dev/null || true
      rm -f "$(pidfile "$1")"
    else
      stop_one "$1" KILL
    fi
    ;;
  isolate) isolate "$@" ;;
  *)
    sed -n '2,30p' "${BASH_SOURCE[0]}"
    exit 2
    ;;
esac
