#!/usr/bin/env bash
# The S3 sink's kill -9 acceptance run: 1,000,000 records stream into Kafka while the worker
# is killed 20 times at random moments; every record must end up in exactly one object. It runs
# twice: JSON values into JSON-lines files, and Avro values (the worker's own Schema Registry)
# copied into Avro files. (The CI-sized runs of the same tests, 50,000 records and 5 kills, are
# part of the test suite.)
#
#   bash bench/s3_kill.sh                       # S3_KILL_RECORDS=1000000 S3_KILL_KILLS=20
#   S3_KILL_RECORDS=200000 S3_KILL_KILLS=8 bash bench/s3_kill.sh
#   S3_KILL_VALUES=avro bash bench/s3_kill.sh   # only one encoding: json or avro
#   SLUICE_CRASH_SEED=<seed> bash bench/s3_kill.sh   # replay the kill moments of a failed run
#
# Uses the test services (bash tests/services/start.sh) and a debug build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
export S3_KILL_RECORDS=${S3_KILL_RECORDS:-1000000} S3_KILL_KILLS=${S3_KILL_KILLS:-20}
cd "$root"
bash tests/services/start.sh kafka s3 >/dev/null
case ${S3_KILL_VALUES:-both} in
  json) filter=kill_9_twenty_times_over_a_million_records ;;
  avro) filter=kill_9_twenty_times_over_a_million_avro_records ;;
  both) filter=kill_9_twenty_times_over_a_million ;;
  *) echo "S3_KILL_VALUES must be json, avro or both" >&2; exit 2 ;;
esac
cargo nextest run --profile acceptance -p sluice --test s3_sink_kill --run-ignored ignored-only --no-capture \
  "$filter"
