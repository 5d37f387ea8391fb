#!/usr/bin/env bash
# The quickstart (README): installs and starts what a Sluice pipeline needs — a Kafka-API broker,
# PostgreSQL with logical replication and a local S3 object store — builds the `sluice` binary,
# starts Sluice's Schema Registry on the broker, registers a Debezium key schema, starts a Sluice
# worker and creates a FileStream pipeline through its REST API, and says what it started and where. The servers keep running for you to explore; stop them
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
INSERT INTO customers (id, name, email) VALUES (1, 'Ada', 'ada@example.com'), (2, 'Linus', 'linus@example.com')
  ON CONFLICT (id) DO NOTHING;
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

# A Sluice worker with Kafka Connect's REST API, and a pipeline created through it the way a
# Kafka Connect user would: the customers rows (exported as CSV) stream into a Kafka topic with
# FileStreamSource, and FileStreamSink writes the topic back out to a file.
w=$SLUICE_SERVICES_DIR/worker
# A fresh worker each run (its offsets file too), so the pipeline below starts from the file's start.
[ -f "$w/pid" ] && kill "$(cat "$w/pid")" 2>/dev/null && sleep 1
rm -rf "$w"
mkdir -p "$w"
psql -q -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d postgres \
  -c "\\copy (SELECT id, name, email FROM customers ORDER BY id) TO '$w/customers.csv' WITH CSV"
{
  w_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$w/worker.properties" <<PROPS
bootstrap.servers=$SLUICE_KAFKA_BOOTSTRAP
listeners=http://127.0.0.1:$w_port
offset.storage.file.filename=$w/offsets.jsonl
offset.flush.interval.ms=1000
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
PROPS
  ( exec "$CARGO_TARGET_DIR/debug/sluice" standalone "$w/worker.properties" >"$w/log" 2>&1 </dev/null ) &
  echo $! >"$w/pid"
  echo "http://127.0.0.1:$w_port" >"$w/url"
}
connect=$(cat "$w/url")
for _ in $(seq 100); do curl -fs "$connect/" >/dev/null && break; sleep 0.2; done
curl -fs -X POST -H 'Content-Type: application/json' "$connect/connectors" --data "{
  \"name\": \"customers-file-source\",
  \"config\": {\"connector.class\": \"FileStreamSource\", \"file\": \"$w/customers.csv\", \"topic\": \"customers-lines\",
              \"topic.creation.default.partitions\": \"1\", \"topic.creation.default.replication.factor\": \"1\"}}" >/dev/null
curl -fs -X POST -H 'Content-Type: application/json' "$connect/connectors" --data "{
  \"name\": \"customers-file-sink\",
  \"config\": {\"connector.class\": \"org.apache.kafka.connect.file.FileStreamSinkConnector\", \"file\": \"$w/customers.out\", \"topics\": \"customers-lines\"}}" >/dev/null
want=$(wc -l <"$w/customers.csv")
for _ in $(seq 150); do [ -f "$w/customers.out" ] && [ "$(wc -l <"$w/customers.out")" -ge "$want" ] && break; sleep 0.2; done
states=$(curl -fs "$connect/connectors?expand=status" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(", ".join(n + " " + v["status"]["connector"]["state"] for n, v in sorted(d.items())))')

cat <<MSG

Sluice $("$CARGO_TARGET_DIR/debug/sluice" --version | awk '{print $2}') is built: $CARGO_TARGET_DIR/debug/sluice
Running now (state, logs and PIDs in $SLUICE_SERVICES_DIR):
  Kafka-API broker (Tansu)   bootstrap.servers=$SLUICE_KAFKA_BOOTSTRAP
  PostgreSQL 15 (logical)    postgresql://$SLUICE_PG_USER:$SLUICE_PG_PASSWORD@$SLUICE_PG_HOST:$SLUICE_PG_PORT/postgres  (table customers: $(psql -tA -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d postgres -c 'select count(*) from customers') rows)
  S3 object store (moto)     $SLUICE_S3_ENDPOINT  (any access key)
  Schema Registry (Sluice)   $sr_url  — registered dbserver1.public.customers-key: $registered
                             subjects now: $(curl -fs "$sr_url/subjects")
  Sluice worker (standalone) $connect  — Kafka Connect's REST API
    connectors: $states
    customers.csv -> topic customers-lines -> $w/customers.out:
$(sed 's/^/      /' "$w/customers.out" 2>/dev/null || echo "      (nothing arrived yet; see $w/log)")

Not yet: the PostgreSQL source (Debezium events) and the S3 sink are being built (see the
README's status); the FileStream pipeline above stands in for them. Stop everything with:
  SLUICE_SERVICES_DIR=$SLUICE_SERVICES_DIR bash tests/services/stop.sh
MSG
