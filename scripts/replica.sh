#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL 15 server (127.0.0.1:5432) on port 5433, for DATABASE_READ_URL
# and `npm run bench:replica`. Not part of npm test. Needs root (or the postgres user) and the Debian postgresql-common
# tools (pg_createcluster, pg_ctlcluster, pg_dropcluster) that ship with the server package.
#
#   scripts/replica.sh [start]   create it if missing (pg_basebackup -R), start it, wait until it streams, print lag
#   scripts/replica.sh status    streaming state and lag
#   scripts/replica.sh stop      stop it (kept on disk; `start` resumes streaming)
#   scripts/replica.sh remove    stop and delete it
#
# Idempotent: `start` on a running replica only prints its state. Settings through the environment:
#   PRIMARY_HOST (127.0.0.1) PRIMARY_PORT (5432) REPLICA_PORT (5433) PG_VERSION (15) REPLICA_NAME (replica)
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
PG_VERSION=${PG_VERSION:-15}
NAME=${REPLICA_NAME:-replica}
DATA=/var/lib/postgresql/${PG_VERSION}/${NAME}
SLOT=nqi_${NAME//[^a-z0-9_]/_}

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -XtAq "$@"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -XtAq "$@"; }
exists() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v n="$NAME" '$1 == v && $2 == n { found = 1 } END { exit !found }'; }
online() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v n="$NAME" '$1 == v && $2 == n && $4 ~ /online/ { found = 1 } END { exit !found }'; }

drop_slot() {
  primary -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${SLOT}' AND NOT active" > /dev/null
}

status() {
  echo "== replica ${PG_VERSION}/${NAME} on port ${REPLICA_PORT}"
  replica -c "SELECT 'in recovery: ' || pg_is_in_recovery()"
  replica -c "SELECT 'receiver: ' || coalesce((SELECT status FROM pg_stat_wal_receiver), 'not running')"
  replica -c "SELECT 'replay delay: ' || coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric(10,3)::text || ' s since the last replayed transaction', 'nothing replayed yet')"
  echo "== primary ${PRIMARY_HOST}:${PRIMARY_PORT}: pg_stat_replication"
  primary -c "SELECT format('%s %s: write %s, flush %s, replay %s, %s bytes behind', application_name, state,
      coalesce(write_lag::text, '0'), coalesce(flush_lag::text, '0'), coalesce(replay_lag::text, '0'),
      pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) FROM pg_stat_replication WHERE application_name = '${NAME}'"
}

allow_replication() {
  # The primary must accept replication connections from this machine (pg_hba's "all" does not cover replication).
  local hba
  hba=$(primary -c 'SHOW hba_file')
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "adding a replication line for 127.0.0.1 to $hba"
    printf '\n# streaming replica on this machine (scripts/replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >> "$hba"
    primary -c 'SELECT pg_reload_conf()' > /dev/null
  fi
  local level
  level=$(primary -c 'SHOW wal_level')
  if [ "$level" = minimal ]; then
    echo "the primary runs with wal_level=minimal: set wal_level=replica and restart it" >&2
    exit 1
  fi
}

start() {
  if ! exists; then
    allow_replication
    if [ ! -f "$DATA/standby.signal" ]; then
      echo "pg_basebackup from ${PRIMARY_HOST}:${PRIMARY_PORT} into ${DATA} …"
      rm -rf "$DATA"
      install -d -o postgres -g postgres -m 700 "$DATA"
      local started=$SECONDS
      # -R writes standby.signal, primary_conninfo and primary_slot_name; application_name names the replica in
      # pg_stat_replication. The slot (-C -S) keeps the WAL the replica has not received yet: without it, a busy
      # primary recycles segments between the end of the copy and the replica's start, and the replica never catches up.
      drop_slot
      as_postgres pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DATA" -R -X stream -c fast \
        -C -S "$SLOT" -d "application_name=${NAME}"
      echo "base backup: $(du -sh "$DATA" | cut -f1) in $((SECONDS - started)) s"
    fi
    # Debian keeps a cluster's configuration in /etc: the copy has none. pg_createcluster moves these into
    # /etc/postgresql/<version>/<name>/ and registers the copied folder as a cluster with its own port.
    local hba
    hba=$(primary -c 'SHOW hba_file')
    [ -f "$DATA/postgresql.conf" ] || printf "port = %s\nhot_standby = on\nshared_buffers = 128MB\nmax_connections = 100\nlisten_addresses = 'localhost'\n" "$REPLICA_PORT" > "$DATA/postgresql.conf"
    [ -f "$DATA/pg_hba.conf" ] || cp "$hba" "$DATA/pg_hba.conf"
    [ -f "$DATA/pg_ident.conf" ] || : > "$DATA/pg_ident.conf"
    chown postgres:postgres "$DATA/postgresql.conf" "$DATA/pg_hba.conf" "$DATA/pg_ident.conf"
    pg_createcluster "$PG_VERSION" "$NAME" -d "$DATA" -p "$REPLICA_PORT" > /dev/null
  fi
  if ! online; then pg_ctlcluster "$PG_VERSION" "$NAME" start; fi
  for _ in $(seq 1 60); do
    if [ "$(replica -c "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), '')" 2>/dev/null)" = streaming ]; then
      status
      return 0
    fi
    sleep 0.5
  done
  echo "the replica does not stream after 30 s; see /var/log/postgresql/postgresql-${PG_VERSION}-${NAME}.log" >&2
  exit 1
}

case "${1:-start}" in
  start) start ;;
  status) status ;;
  stop)
    if online; then pg_ctlcluster "$PG_VERSION" "$NAME" stop; fi
    echo "stopped; the primary keeps WAL for slot ${SLOT} until \`$0 start\` or \`$0 remove\`" ;;
  remove)
    if exists; then pg_dropcluster --stop "$PG_VERSION" "$NAME"; fi
    rm -rf "$DATA"
    drop_slot
    echo "removed (cluster, data folder and replication slot ${SLOT})" ;;
  *) echo "usage: $0 [start|status|stop|remove]" >&2; exit 2 ;;
esac
