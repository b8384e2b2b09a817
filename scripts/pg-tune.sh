#!/usr/bin/env bash
# Postgres settings for Xinyuan's workload (why and measured effect: docs/postgres.md), applied to
# the server at $PGHOST:$PGPORT with ALTER SYSTEM (postgresql.auto.conf) and pg_reload_conf().
#
#   bash scripts/pg-tune.sh            (scripts/services.sh runs it, so `npm run up`, `npm test`
#                                       and `npm run bench` all do)
#
# Idempotent and quick: when postgresql.auto.conf already holds every setting below it only checks
# (one query) and says nothing. It never fails the command that calls it: a server it may not or
# cannot tune (not local, not superuser, a managed service refusing ALTER SYSTEM) is logged and left
# as it is.
#
# shared_buffers and wal_buffers take effect only at a restart. The script restarts the server only
# when that is safe: a Debian cluster on this machine (pg_ctlcluster, as root or through `sudo -n`)
# with no other client connected; otherwise it logs what a restart would add and goes on.
#
# Env: PGHOST (127.0.0.1) PGPORT (5432) PGUSER (postgres)
#      XINYUAN_PG_TUNE=0          do nothing
#      XINYUAN_PG_TUNE=1          tune even a server that is not on this machine (default: local only)
#      XINYUAN_PG_TUNE_RESTART=0  never restart (restart-only settings wait for the next restart)
set -uo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-3}"
unset PGDATABASE PGSERVICE PGOPTIONS 2>/dev/null || true
MODE="${XINYUAN_PG_TUNE:-auto}"
RESTART="${XINYUAN_PG_TUNE_RESTART:-auto}"

log() { printf '[pg-tune] %s\n' "$*" >&2; }

[[ "$MODE" != 0 ]] || exit 0
if ! command -v psql >/dev/null 2>&1; then
  log "no psql on this machine: Postgres left untuned (settings in docs/postgres.md)"
  exit 0
fi
case "$PGHOST" in
  127.0.0.1 | localhost | ::1 | /*) ;;
  *)
    if [[ "$MODE" != 1 ]]; then
      log "Postgres at $PGHOST is not on this machine: left untuned (XINYUAN_PG_TUNE=1 tunes it anyway; settings in docs/postgres.md)"
      exit 0
    fi
    ;;
esac

pg() { psql -X -w -q -t -A -v ON_ERROR_STOP=1 -d postgres "$@" </dev/null; }

# shared_buffers: a quarter of the machine's memory, at least 128MB, at most 1GB (the full
# benchmark world's hot pages fit; the rest is the OS page cache's job)
mem_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || true)"
shared_mb=128
if [[ "$mem_kb" =~ ^[0-9]+$ ]]; then
  shared_mb=$((mem_kb / 4 / 1024))
  ((shared_mb > 1024)) && shared_mb=1024
  ((shared_mb < 128)) && shared_mb=128
fi

# name|value — the values exactly as ALTER SYSTEM writes them into postgresql.auto.conf
SETTINGS=(
  # checkpoints far enough apart that a benchmark run or a busy hour does not meet one, spread
  "max_wal_size|4GB"
  "min_wal_size|1GB"
  "checkpoint_timeout|15min"
  "checkpoint_completion_target|0.9"
  # full-page images compressed (lz4 when the server has it, see below)
  "wal_compression|lz4"
  # OLTP: the apps already turn JIT off per connection; this covers psql, migrations, scripts
  "jit|off"
  # production needs autovacuum; these thresholds keep the queue-like tables (offers, outbox,
  # orders' status changes) vacuumed and analysed long before the 20 % default
  "autovacuum|on"
  "autovacuum_naptime|30s"
  "autovacuum_vacuum_scale_factor|0.05"
  "autovacuum_analyze_scale_factor|0.05"
  "autovacuum_vacuum_insert_scale_factor|0.1"
  # restart-only
  "shared_buffers|${shared_mb}MB"
  "wal_buffers|16MB"
)

# One query: what postgresql.auto.conf holds now (needs superuser or pg_read_all_settings), whether
# this build has lz4, and which settings wait for a restart.
if ! current="$(pg -c "SELECT name || '|' || setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'
  UNION ALL SELECT ':lz4|' || ('lz4' = ANY(enumvals)) FROM pg_settings WHERE name = 'wal_compression'
  UNION ALL SELECT ':pending|' || string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE pending_restart" 2>&1)"; then
  log "cannot read the server's settings as $PGUSER (${current//$'\n'/ }): Postgres left untuned"
  exit 0
fi

if ! grep -qxF ':lz4|true' <<<"$current"; then
  # a server built without lz4: pglz costs more CPU than it saves here, leave compression off
  SETTINGS=("${SETTINGS[@]/wal_compression|lz4/}")
fi

sql=''
changed=()
for entry in "${SETTINGS[@]}"; do
  [[ -n "$entry" ]] || continue
  name="${entry%%|*}" value="${entry#*|}"
  if ! grep -qxF "$name|$value" <<<"$current"; then
    sql+="ALTER SYSTEM SET $name = '$value';"$'\n'
    changed+=("$name=$value")
  fi
done

# settings an earlier version of this script set and this one no longer wants (name|value it set)
RETIRED=(
  # 5 × the default vacuum I/O budget: its bursts made WAL flushes wait (docs/postgres.md)
  "autovacuum_vacuum_cost_limit|1000"
)
for entry in "${RETIRED[@]}"; do
  if grep -qxF "$entry" <<<"$current"; then
    sql+="ALTER SYSTEM RESET ${entry%%|*};"$'\n'
    changed+=("${entry%%|*}=default")
  fi
done

if ((${#changed[@]})); then
  # ALTER SYSTEM cannot run inside a transaction block: one statement per -c
  args=()
  while IFS= read -r statement; do
    [[ -n "$statement" ]] && args+=(-c "$statement")
  done <<<"$sql"
  if ! out="$(pg "${args[@]}" -c "SELECT pg_reload_conf()" 2>&1)"; then
    log "ALTER SYSTEM refused (${out//$'\n'/ }): Postgres left untuned (a managed service? set the settings of docs/postgres.md there)"
    exit 0
  fi
  log "set ${changed[*]} (ALTER SYSTEM + pg_reload_conf)"
fi

pending="$(sed -n 's/^:pending|//p' <<<"$current")"
if ((${#changed[@]})); then
  # pg_reload_conf() only signals the postmaster: wait (briefly) until pending_restart is up to date
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pending="$(pg -c "SELECT string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE pending_restart" 2>/dev/null || true)"
    [[ -n "$pending" ]] && break
    sleep 0.1
  done
fi
[[ -n "$pending" ]] || exit 0

# Restart-only settings are waiting. Restart only a Debian cluster of this machine nobody else uses.
why_not=''
cluster=''
if [[ "$RESTART" == 0 ]]; then
  why_not='XINYUAN_PG_TUNE_RESTART=0'
elif ! command -v pg_lsclusters >/dev/null 2>&1; then
  why_not='not a Debian cluster (no pg_lsclusters)'
else
  datadir="$(pg -c "SHOW data_directory" 2>/dev/null || true)"
  cluster="$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PGPORT" -v d="$datadir" '$3 == p && $6 == d { print $1 " " $2; exit }')"
  others="$(pg -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null || echo '?')"
  if [[ -z "$cluster" ]]; then
    why_not="no Debian cluster of this machine serves port $PGPORT"
  elif [[ "$others" != 0 ]]; then
    why_not="$others other client connection(s) open"
  fi
fi
SUDO=()
if [[ -z "$why_not" && "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    why_not='not root and no password-less sudo'
  fi
fi
if [[ -n "$why_not" ]]; then
  log "a restart would apply: $pending (not restarting: $why_not)"
  exit 0
fi

# The server started here lives on after this script: it must not inherit any descriptor of its
# callers beyond stdin/stdout/stderr (pg_ctl points those at the cluster's log) — a lock a caller holds
# through `flock` would be held by Postgres for as long as it runs, and a pipe a caller reads until
# EOF (a CI runner's output) would never reach EOF. Seen here: a `flock` lock held by the postmaster.
restart_cluster() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" =~ ^[0-9]+$ ]] && ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # shellcheck disable=SC2086 # "<version> <name>"
    exec "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect $cluster restart -m fast </dev/null >&2
  )
}

log "restarting cluster $cluster to apply: $pending"
if ! restart_cluster; then
  log "pg_ctlcluster $cluster restart failed; see /var/log/postgresql/"
  exit 0
fi
for _ in $(seq 1 60); do
  [[ "$(pg -c 'SELECT 1' 2>/dev/null)" == 1 ]] && break
  sleep 0.5
done
log "now: $(pg -c "SELECT string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'wal_buffers')" 2>/dev/null || echo 'not answering yet')"
exit 0
