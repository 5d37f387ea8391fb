#!/usr/bin/env bash
# The quickstart (README): installs and starts what a Sluice pipeline needs — a Kafka-API broker,
# PostgreSQL with logical replication and a local S3 object store — builds the `sluice` binary
# and says what it started and where. The servers keep running for you to explore; stop them
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

cat <<MSG

Sluice $("$CARGO_TARGET_DIR/debug/sluice" --version | awk '{print $2}') is built: $CARGO_TARGET_DIR/debug/sluice
Running now (state, logs and PIDs in $SLUICE_SERVICES_DIR):
  Kafka-API broker (Tansu)   bootstrap.servers=$SLUICE_KAFKA_BOOTSTRAP
  PostgreSQL 15 (logical)    postgresql://$SLUICE_PG_USER:$SLUICE_PG_PASSWORD@$SLUICE_PG_HOST:$SLUICE_PG_PORT/postgres  (table customers: $(psql -tA -h "$SLUICE_PG_HOST" -p "$SLUICE_PG_PORT" -U "$SLUICE_PG_USER" -d postgres -c 'select count(*) from customers') rows)
  S3 object store (moto)     $SLUICE_S3_ENDPOINT  (any access key)

Not yet: the worker's REST API, the PostgreSQL source and the S3 sink are being built (see the
README's status). Stop the servers with:
  SLUICE_SERVICES_DIR=$SLUICE_SERVICES_DIR bash tests/services/stop.sh
MSG
