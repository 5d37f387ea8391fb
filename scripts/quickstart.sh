#!/usr/bin/env bash
# The quickstart (README): installs and starts what a Sluice pipeline needs — a Kafka-API broker,
# PostgreSQL with logical replication and a local S3 object store — builds the `sluice` binary,
# starts Sluice's Schema Registry on the broker and a Sluice worker, creates through its REST API
# a PostgreSQL source (Debezium's connector config) and sinks (a file, and S3 when built in), writes
# some rows and shows the resulting events and files. The servers keep running for you to explore;
# stop them with `SLUICE_SERVICES_DIR=/tmp/sluice-quickstart bash tests/services/stop.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
export SLUICE_SERVICES_DIR=${SLUICE_SERVICES_DIR:-/tmp/sluice-quickstart}

bash tests/services/install.sh
bash tests/services/start.sh kafka postgres s3
cargo build -p sluice --quiet
. "$SLUICE_SERVICES_DIR/services.env"

# A table with a few rows: what the PostgreSQL source snapshots and then streams.
export PGPASSWORD=$SLUICE_PG_PASSWORD
pg() { psql -q -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d postgres -v ON_ERROR_STOP=1 "$@"; }
pg <<'SQL'
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

# A Sluice worker with Kafka Connect's REST API, and a pipeline created through it the way a
# Kafka Connect user would: Debezium's PostgreSQL connector config (Avro values, schemas in the
# registry) streams the customers table into Kafka, FileStreamSink writes the change events to a
# file, and — when this build has it — the S3 sink writes them as Avro files to a bucket.
w=$SLUICE_SERVICES_DIR/worker
# A fresh worker, slot and topics each run, so the pipeline below starts with a snapshot.
[ -f "$w/pid" ] && kill "$(cat "$w/pid")" 2>/dev/null && sleep 2
rm -rf "$w"
mkdir -p "$w"
run=$(date +%s)
prefix=quickstart$run
pg -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'quickstart%' AND NOT active" >/dev/null
{
  w_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$w/worker.properties" <<PROPS
bootstrap.servers=$SLUICE_KAFKA_BOOTSTRAP
listeners=http://127.0.0.1:$w_port
offset.storage.file.filename=$w/offsets.jsonl
offset.flush.interval.ms=1000
key.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
PROPS
  ( exec "$CARGO_TARGET_DIR/debug/sluice" standalone "$w/worker.properties" >"$w/log" 2>&1 </dev/null ) &
  echo $! >"$w/pid"
  echo "http://127.0.0.1:$w_port" >"$w/url"
}
connect=$(cat "$w/url")
for _ in $(seq 100); do curl -fs "$connect/" >/dev/null && break; sleep 0.2; done
avro="\"value.converter\": \"io.confluent.connect.avro.AvroConverter\", \"value.converter.schema.registry.url\": \"$sr_url\""
curl -fs -X POST -H 'Content-Type: application/json' "$connect/connectors" --data "{
  \"name\": \"customers-postgres\",
  \"config\": {\"connector.class\": \"io.debezium.connector.postgresql.PostgresConnector\",
              \"database.hostname\": \"$SLUICE_PG_HOST\", \"database.port\": \"$SLUICE_PG_PORT\",
              \"database.user\": \"$SLUICE_PG_USER\", \"database.password\": \"$SLUICE_PG_PASSWORD\",
              \"database.dbname\": \"postgres\", \"topic.prefix\": \"$prefix\", \"plugin.name\": \"pgoutput\",
              \"slot.name\": \"$prefix\", \"publication.name\": \"quickstart_pub\", \"table.include.list\": \"public.customers\",
              \"topic.creation.default.partitions\": \"1\", \"topic.creation.default.replication.factor\": \"1\", $avro}}" >/dev/null
topic=$prefix.public.customers
# Sinks subscribe once the topic exists (the snapshot's first event registers its value schema).
for _ in $(seq 150); do curl -fs "$sr_url/subjects" | grep -q "\"$topic-value\"" && break; sleep 0.2; done
sleep 1
curl -fs -X POST -H 'Content-Type: application/json' "$connect/connectors" --data "{
  \"name\": \"customers-file-sink\",
  \"config\": {\"connector.class\": \"FileStreamSink\", \"file\": \"$w/customers-events.txt\", \"topics\": \"$topic\", $avro}}" >/dev/null
bucket=quickstart
s3=no
if curl -fs "$connect/connector-plugins" | grep -q 'io.confluent.connect.s3.S3SinkConnector'; then
  s3=yes
  "$HOME/.cache/sluice/venv/bin/python" - "$SLUICE_S3_ENDPOINT" "$bucket" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
if sys.argv[2] not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
    s3.create_bucket(Bucket=sys.argv[2])
PY
  curl -fs -X POST -H 'Content-Type: application/json' "$connect/connectors" --data "{
    \"name\": \"customers-s3-sink\",
    \"config\": {\"connector.class\": \"io.confluent.connect.s3.S3SinkConnector\", \"topics\": \"$topic\",
                \"s3.bucket.name\": \"$bucket\", \"s3.region\": \"us-east-1\", \"store.url\": \"$SLUICE_S3_ENDPOINT\",
                \"aws.access.key.id\": \"test\", \"aws.secret.access.key\": \"test\",
                \"format.class\": \"io.confluent.connect.s3.format.avro.AvroFormat\", \"flush.size\": \"3\",
                \"rotate.schedule.interval.ms\": \"5000\", \"timezone\": \"UTC\", \"behavior.on.null.values\": \"ignore\", \"storage.class\": \"io.confluent.connect.s3.storage.S3Storage\", $avro}}" >/dev/null
fi
# Changes while it streams: an insert, an update, a delete.
for _ in $(seq 150); do [ -s "$w/customers-events.txt" ] && break; sleep 0.2; done
pg <<SQL
INSERT INTO customers (id, name, email) VALUES (3, 'Grace', 'grace@example.com');
UPDATE customers SET email = 'ada@lovelace.org' WHERE id = 1;
DELETE FROM customers WHERE id = 3;
SQL
want=$(( $(pg -tA -c 'select count(*) from customers') + 4 ))
for _ in $(seq 150); do [ "$(wc -l <"$w/customers-events.txt")" -ge "$want" ] && break; sleep 0.2; done
[ "$s3" = yes ] && sleep 6
list_objects() {
  "$HOME/.cache/sluice/venv/bin/python" - "$SLUICE_S3_ENDPOINT" "$bucket" "topics/$topic/" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
for o in s3.list_objects_v2(Bucket=sys.argv[2], Prefix=sys.argv[3]).get("Contents", []):
    print(f"      s3://{sys.argv[2]}/{o['Key']}  ({o['Size']} bytes)")
PY
}
objects=""
if [ "$s3" = yes ]; then objects=$(list_objects 2>/dev/null || true); fi
states=$(curl -fs "$connect/connectors?expand=status" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(", ".join(n + " " + v["status"]["connector"]["state"] + " (tasks: " + " ".join(t["state"] for t in v["status"]["tasks"]) + ")" for n, v in sorted(d.items())))')

cat <<MSG

Sluice $("$CARGO_TARGET_DIR/debug/sluice" --version | awk '{print $2}') is built: $CARGO_TARGET_DIR/debug/sluice
Running now (state, logs and PIDs in $SLUICE_SERVICES_DIR):
  Kafka-API broker (Tansu)   bootstrap.servers=$SLUICE_KAFKA_BOOTSTRAP
  PostgreSQL 15 (logical)    postgresql://$SLUICE_PG_USER:$SLUICE_PG_PASSWORD@$SLUICE_PG_HOST:$SLUICE_PG_PORT/postgres
  S3 object store (moto)     $SLUICE_S3_ENDPOINT  (any access key)
  Schema Registry (Sluice)   $sr_url  — subjects: $(curl -fs "$sr_url/subjects")
  Sluice worker (standalone) $connect  — Kafka Connect's REST API
    connectors: $states
    public.customers -> topic $topic (Debezium envelopes, Avro) -> $w/customers-events.txt:
$(sed 's/^/      /' "$w/customers-events.txt" 2>/dev/null || echo "      (nothing arrived yet; see $w/log)")
$([ "$s3" = yes ] && printf '    the same topic -> S3 sink -> bucket %s:\n%s' "$bucket" "${objects:-      (no object yet; see $w/log)}" || echo "    (this build has no S3 sink plugin)")

Try more changes (psql ... -c "UPDATE customers SET ...") and watch $w/customers-events.txt.
Stop everything with:
  SLUICE_SERVICES_DIR=$SLUICE_SERVICES_DIR bash tests/services/stop.sh
MSG
