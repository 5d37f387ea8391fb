#!/usr/bin/env bash
# The quickstart (README): installs and starts what a Sluice pipeline needs — a Kafka-API broker,
# PostgreSQL with logical replication and a local S3 object store — builds the `sluice` binary,
# starts Sluice's Schema Registry on the broker, registers a Debezium key schema, and says what
# it started and where. The servers keep running for you to explore; stop them
# with `SLUICE_SERVICES_DIR=/tmp/sluice-quickstart bash tests/services/stop.sh`.
#
# Until the PostgreSQL source and the S3 sink land, this stops short of running a pipeline:
# it does not pretend to.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
export SLUICE_SERVICES_DIR=${SLUICE_SERVICES_DIR:-/tmp/sluice-quickstart}

bash tests/services/install.sh
bash tests/services/start.sh kafka postgres s3
cargo build -p sluice --quiet
. "$SLUICE_SERVICES_DIR/services.env"

# A table with a few rows, published for logical replication: what the PostgreSQL source streams.
export PGPASSWORD=$SLUICE_PG_PASSWORD
psql -q -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d postgres -v ON_ERROR_STOP=1 <<'SQL'
CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, name text NOT NULL, email text);
INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Linus', 'linus@example.com');
SQL

# Sluice's own Schema Registry on the broker, as a background service like the others.
sr=$SLUICE_SERVICES_DIR/schema-registry
if ! { [ -f "$sr/pid" ] && kill -0 "$(cat "$sr/pid")" 2>/dev/null; }; then
  mkdir -p "$sr"
  sr_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ( exec "$CARGO_TARGET_DIR/debug/sluice" schema-registry --bootstrap-servers "$SLUICE_KAFKA_BOOTSTRAP" \
      --listeners "http://127.0.0.1:$sr_port" --replication-factor 1 >"$sr/log" 2>&1 </dev/null ) &
  echo $! >"$sr/pid"
  echo "http://127.0.0.1:$sr_port" >"$sr/url"
fi
sr_url=$(cat "$sr/url")
for _ in $(seq 100); do curl -fs "$sr_url/subjects" >/dev/null && break; sleep 0.2; done
# The key schema Debezium's PostgreSQL connector registers for a table with an int4 key.
key_schema='{"type":"record","name":"Key","namespace":"dbserver1.public.customers","fields":[{"name":"id","type":"int"}],"connect.name":"dbserver1.public.customers.Key"}'
registered=$(curl -fs -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
  --data "$(python3 -c 'import json,sys; print(json.dumps({"schema": sys.argv[1]}))' "$key_schema")" \
  "$sr_url/subjects/dbserver1.public.customers-key/versions")

cat <<MSG

Sluice $("$CARGO_TARGET_DIR/debug/sluice" --version | awk '{print $2}') is built: $CARGO_TARGET_DIR/debug/sluice
Running now (state, logs and PIDs in $SLUICE_SERVICES_DIR):
  Kafka-API broker (Tansu)   bootstrap.servers=$SLUICE_KAFKA_BOOTSTRAP
  PostgreSQL 15 (logical)    postgresql://$SLUICE_PG_USER:$SLUICE_PG_PASSWORD@$SLUICE_PG_HOST:$SLUICE_PG_PORT/postgres  (table customers: $(psql -tA -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d postgres -c 'select count(*) from customers') rows)
  S3 object store (moto)     $SLUICE_S3_ENDPOINT  (any access key)
  Schema Registry (Sluice)   $sr_url  — registered dbserver1.public.customers-key: $registered
                             subjects now: $(curl -fs "$sr_url/subjects")

Not yet: the worker's REST API, the PostgreSQL source and the S3 sink are being built (see the
README's status). Stop everything with:
  SLUICE_SERVICES_DIR=$SLUICE_SERVICES_DIR bash tests/services/stop.sh
MSG
