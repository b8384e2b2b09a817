#!/usr/bin/env bash
# Make sure PostgreSQL (with the PostGIS extension available) and Redis are running and reachable.
#
#   bash scripts/services.sh        (or: npm run services)
#
# Common path: both already answer → prints "services ready" and exits in a few tens of ms.
# Otherwise, in this order:
#   1. Docker engine reachable (`docker info`) → `docker compose up -d` the missing ones
#      (services `postgres` / `redis` of docker-compose.yml), then wait for them.
#   2. Debian packages (as root, or through `sudo -n`): apt-get install what is missing
#      (postgresql, postgresql-<MAJOR>-postgis-3, redis-server), start the cluster with
#      pg_ctlcluster and Redis as a daemon without persistence, then wait for them.
# Then, on both paths, scripts/pg-tune.sh applies the project's Postgres settings (docs/postgres.md;
# XINYUAN_PG_TUNE=0 skips it; it never fails this script).
# Idempotent, non-interactive (never reads stdin, never prompts): safe in CI.
#
# Env: PGHOST (127.0.0.1) PGPORT (5432) PGUSER (postgres) REDIS_HOST (127.0.0.1) REDIS_PORT (6379)
#      XINYUAN_NO_DOCKER=1       never use Docker, go straight to Debian packages
#      XINYUAN_STATE_DIR=<dir>   where the Redis started by this script keeps its dir and log
#                                (default /tmp/xinyuan-services)
#      SERVICES_WAIT_SECONDS=30  how long to wait for each service to answer
#      XINYUAN_PG_TUNE=0         leave the Postgres settings alone (see scripts/pg-tune.sh for the rest)
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
WAIT_SECONDS="${SERVICES_WAIT_SECONDS:-30}"
STATE_DIR="${XINYUAN_STATE_DIR:-${TMPDIR:-/tmp}/xinyuan-services}"
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PGHOST PGPORT PGUSER
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-3}"
unset PGDATABASE PGSERVICE 2>/dev/null || true

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# probes (no side effects, no sudo)
# ---------------------------------------------------------------------------------------------
DOCKER_MODE=0
COMPOSE=()

# Runs one SQL query against the postgres database; prints the unaligned result.
pg_query() {
  if command -v psql >/dev/null 2>&1; then
    psql -X -w -q -t -A -v ON_ERROR_STOP=1 -d postgres -c "$1" </dev/null 2>/dev/null
  elif [[ "$DOCKER_MODE" == 1 ]]; then
    (cd "$ROOT_DIR" && "${COMPOSE[@]}" exec -T postgres \
      psql -X -w -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres -c "$1") \
      </dev/null 2>/dev/null
  else
    return 1
  fi
}

# 0 when Postgres accepts connections (even if authentication would then fail).
pg_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 2 >/dev/null 2>&1 </dev/null
  else
    [[ "$(pg_query 'SELECT 1' || true)" == 1 ]]
  fi
}

# 0 when we can log in and run queries.
pg_usable() { [[ "$(pg_query 'SELECT 1' || true)" == 1 ]]; }

# 0 when the postgis extension can be created in this server.
pg_has_postgis() {
  [[ "$(pg_query "SELECT 1 FROM pg_available_extensions WHERE name='postgis'" || true)" == 1 ]]
}

redis_ping() {
  local reply=''
  if command -v redis-cli >/dev/null 2>&1; then
    reply="$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping </dev/null 2>/dev/null || true)"
  else
    # No client installed: speak RESP over bash's /dev/tcp.
    # shellcheck disable=SC2016 # expanded by the inner bash
    reply="$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/$1/$2" || exit 1
      printf "PING\r\n" >&3
      IFS= read -r -t 2 line <&3 && printf "%s" "${line%$'"'"'\r'"'"'}"
    ' _ "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null || true)"
    reply="${reply#+}"
  fi
  [[ "$reply" == PONG ]]
}

all_ready() { pg_has_postgis && redis_ping; }

is_local_host() {
  case "$1" in
    127.0.0.1 | localhost | ::1 | '' | /*) return 0 ;;
    *) return 1 ;;
  esac
}

# wait_for <description> <command...>
wait_for() {
  local what="$1"
  shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.5
  done
  log "$what: ok"
}

# The project's Postgres settings (scripts/pg-tune.sh logs and goes on when it cannot apply them).
pg_tune() {
  bash "$ROOT_DIR/scripts/pg-tune.sh" </dev/null || log "warning: scripts/pg-tune.sh failed; Postgres left as it was"
}

print_ready() {
  local pgv
  pgv="$(pg_query "SELECT current_setting('server_version')" || echo '?')"
  echo "services ready: postgres ${pgv%% *} with postgis at ${PGHOST}:${PGPORT}, redis at ${REDIS_HOST}:${REDIS_PORT}"
}

# ---------------------------------------------------------------------------------------------
# fast path
# ---------------------------------------------------------------------------------------------
if all_ready; then
  pg_tune
  print_ready
  exit 0
fi

# Slow path: serialise concurrent runs (two test jobs starting at once), then look again.
mkdir -p "$STATE_DIR"
# fd 9 holds the lock: every command below that may leave a daemon behind (apt postinst,
# pg_ctlcluster, redis-server, docker) runs with `9>&-`, or the daemon would keep the lock forever.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE_DIR/services.lock"
  if flock -w 120 9; then
    if all_ready; then
      pg_tune
      print_ready
      exit 0
    fi
  else
    log "warning: $STATE_DIR/services.lock still held after 120 s; going on without it"
  fi
fi

# ---------------------------------------------------------------------------------------------
# privileges and apt
# ---------------------------------------------------------------------------------------------
SUDO=()
need_root() {
  if [[ "$(id -u)" == 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    die "$1 needs root: run this script as root or give this user password-less sudo"
  fi
}

APT_UPDATED=0
apt_install() {
  need_root "installing $*"
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found: install $* yourself (this script only knows Debian/Ubuntu), or run Docker"
  export DEBIAN_FRONTEND=noninteractive
  if [[ "$APT_UPDATED" == 0 ]]; then
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 9>&- ||
      die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" </dev/null >&2 9>&- ||
    die "apt-get install $* failed"
}

# ---------------------------------------------------------------------------------------------
# Docker path
# ---------------------------------------------------------------------------------------------
docker_usable() {
  [[ "${XINYUAN_NO_DOCKER:-0}" != 1 ]] || return 1
  command -v docker >/dev/null 2>&1 || return 1
  timeout 15 docker info >/dev/null 2>&1 </dev/null || return 1
  if docker compose version >/dev/null 2>&1 </dev/null; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    log "docker engine is up but neither 'docker compose' nor 'docker-compose' is installed"
    return 1
  fi
  [[ -f "$ROOT_DIR/docker-compose.yml" ]] || return 1
}

start_with_docker() {
  local wanted=()
  pg_answers || wanted+=(postgres)
  redis_ping || wanted+=(redis)
  if ((${#wanted[@]})); then
    is_local_host "$PGHOST" || [[ " ${wanted[*]} " != *' postgres '* ]] ||
      die "Postgres at $PGHOST:$PGPORT does not answer and is not local; docker can only start it on this machine"
    log "docker: ${COMPOSE[*]} up -d ${wanted[*]}"
    (cd "$ROOT_DIR" && "${COMPOSE[@]}" up -d "${wanted[@]}" </dev/null >&2 9>&-) ||
      die "docker compose up -d ${wanted[*]} failed (is port $PGPORT or $REDIS_PORT taken?)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Debian packages path
# ---------------------------------------------------------------------------------------------
have_pg_server() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && command -v pg_lsclusters >/dev/null 2>&1
}

# The server major version to work with: the server we talk to, else the cluster on $PGPORT,
# else the newest installed server.
pg_major() {
  local v
  v="$(pg_query "SELECT current_setting('server_version_num')::int / 10000" || true)"
  if [[ "$v" =~ ^[0-9]+$ ]]; then
    echo "$v"
    return
  fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    v="$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PGPORT" '$3 == p { print $1; exit }')"
    if [[ -n "$v" ]]; then
      echo "$v"
      return
    fi
  fi
  v="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null |
    awk -F/ '{ print $5 }' | sort -n | tail -n 1)"
  [[ -n "$v" ]] || die "no PostgreSQL server found under /usr/lib/postgresql"
  echo "$v"
}

# Prepend trust rules for user postgres over TCP on loopback (first matching line wins).
pg_trust_loopback() {
  local hba="/etc/postgresql/$1/$2/pg_hba.conf"
  [[ -f "$hba" ]] || die "missing $hba"
  if ! grep -q 'xinyuan services.sh' "$hba"; then
    log "pg_hba: trust user $PGUSER on 127.0.0.1 and ::1 in $hba"
    local tmp
    tmp="$(mktemp)"
    {
      echo "# added by xinyuan services.sh: password-less local TCP for the dev/test superuser"
      echo "host    all    $PGUSER    127.0.0.1/32    trust"
      echo "host    all    $PGUSER    ::1/128         trust"
      cat "$hba"
    } >"$tmp"
    "${SUDO[@]}" cp "$tmp" "$hba"
    rm -f "$tmp"
  fi
}

start_with_debian_packages() {
  local install=()

  # ---- what is missing ----
  local pg_is_up=0 pg_fresh=0
  pg_answers && pg_is_up=1
  if [[ "$pg_is_up" == 0 ]]; then
    is_local_host "$PGHOST" || die "Postgres at $PGHOST:$PGPORT does not answer and is not local: start it there"
    if ! have_pg_server; then
      install+=(postgresql)
      pg_fresh=1
    fi
  fi
  if ! redis_ping; then
    is_local_host "$REDIS_HOST" ||
      die "Redis at $REDIS_HOST:$REDIS_PORT does not answer and is not local: start it there"
    command -v redis-server >/dev/null 2>&1 || install+=(redis-server)
  fi
  if ((${#install[@]})); then
    apt_install "${install[@]}"
  fi

  # ---- PostGIS for the server's major version ----
  local major
  major="$(pg_major)"
  if [[ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]] && ! pg_has_postgis; then
    apt_install "postgresql-$major-postgis-3"
  fi

  # ---- Postgres cluster ----
  if ! pg_answers; then
    need_root "starting PostgreSQL"
    local cluster
    cluster="$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PGPORT" -v v="$major" \
      '$1 == v && $3 == p { print $2; exit }')"
    if [[ -z "$cluster" ]]; then
      # no cluster on our port: create 'main', or 'xinyuan' when 'main' already uses another port
      cluster=main
      local name
      for name in main xinyuan; do
        cluster="$name"
        pg_lsclusters --no-header 2>/dev/null |
          awk -v v="$major" -v c="$name" '$1 == v && $2 == c { f = 1 } END { exit !f }' || break
        [[ "$name" == xinyuan ]] &&
          die "clusters $major/main and $major/xinyuan exist but neither uses port $PGPORT (see pg_lsclusters); set PGPORT accordingly"
      done
      log "pg_createcluster $major $cluster --port $PGPORT"
      "${SUDO[@]}" pg_createcluster "$major" "$cluster" --port "$PGPORT" </dev/null >&2 9>&- ||
        die "pg_createcluster $major $cluster failed"
      pg_fresh=1
    fi
    if [[ "$pg_fresh" == 1 ]]; then
      pg_trust_loopback "$major" "$cluster"
    fi
    if pg_lsclusters --no-header 2>/dev/null | awk -v v="$major" -v c="$cluster" '$1 == v && $2 == c && $4 == "online" { f = 1 } END { exit !f }'; then
      # packaging may already have started it; pick up the pg_hba change
      "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" reload </dev/null >&2 9>&- || true
    else
      log "pg_ctlcluster --skip-systemctl-redirect $major $cluster start"
      "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" start </dev/null >&2 9>&- ||
        die "pg_ctlcluster $major $cluster start failed; see /var/log/postgresql/postgresql-$major-$cluster.log"
    fi
  elif [[ "$pg_fresh" == 1 ]]; then
    # the freshly installed package started its own cluster on our port
    need_root "configuring PostgreSQL"
    local cluster
    cluster="$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PGPORT" '$3 == p { print $2; exit }')"
    if [[ -n "$cluster" ]]; then
      pg_trust_loopback "$major" "$cluster"
      "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" reload </dev/null >&2 9>&- || true
    fi
  fi

  # ---- Redis ----
  if ! redis_ping; then
    mkdir -p "$STATE_DIR/redis"
    local args=(--daemonize yes --port "$REDIS_PORT" --save "" --appendonly no
      --dir "$STATE_DIR/redis" --logfile "$STATE_DIR/redis.log" --pidfile "$STATE_DIR/redis.pid")
    log "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port $REDIS_PORT (log: $STATE_DIR/redis.log)"
    if ! redis-server "${args[@]}" --bind 127.0.0.1 -::1 </dev/null >&2 9>&-; then
      # Redis < 7 does not know the optional '-' bind prefix
      redis-server "${args[@]}" --bind 127.0.0.1 </dev/null >&2 9>&- ||
        die "redis-server failed to start; see $STATE_DIR/redis.log"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------
# main (slow path)
# ---------------------------------------------------------------------------------------------
if docker_usable; then
  DOCKER_MODE=1
  start_with_docker
fi
# With Docker, a Postgres that already answers without PostGIS is not our container (that one
# listens on TCP only once initialised, with PostGIS): add PostGIS to it from packages.
if [[ "$DOCKER_MODE" == 0 ]] || { pg_usable && ! pg_has_postgis && is_local_host "$PGHOST" && have_pg_server; }; then
  start_with_debian_packages
fi

wait_for "postgres at $PGHOST:$PGPORT" pg_answers ||
  die "PostgreSQL at $PGHOST:$PGPORT did not answer within ${WAIT_SECONDS}s (check pg_lsclusters and /var/log/postgresql/, or 'docker compose logs postgres')"
wait_for "postgres login as $PGUSER" pg_usable ||
  die "PostgreSQL answers at $PGHOST:$PGPORT but user '$PGUSER' cannot log in without a password (set PGPASSWORD, or allow trust for $PGUSER on 127.0.0.1 in pg_hba.conf)"
wait_for "postgis extension" pg_has_postgis ||
  die "PostgreSQL at $PGHOST:$PGPORT has no 'postgis' in pg_available_extensions (install postgresql-<major>-postgis-3)"
wait_for "redis at $REDIS_HOST:$REDIS_PORT" redis_ping ||
  die "Redis at $REDIS_HOST:$REDIS_PORT did not answer PING within ${WAIT_SECONDS}s (see $STATE_DIR/redis.log, or 'docker compose logs redis')"

pg_tune
print_ready
