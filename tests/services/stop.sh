#!/usr/bin/env bash
# Stops the test servers started by start.sh (all, or the ones named), by their recorded PIDs.
# Data dirs and logs stay in $SLUICE_SERVICES_DIR for post-mortems; start.sh wipes a service's
# dir when it starts it again.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# Default: every service with a recorded PID (the test servers, and anything else started the
# same way, such as the quickstart's Schema Registry).
services=${*:-$(cd "$SLUICE_SERVICES_DIR" 2>/dev/null && for d in */; do [ -f "$d/pid" ] && printf '%s ' "${d%/}"; done)}
for s in $services; do
  pidf=$SLUICE_SERVICES_DIR/$s/pid
  [ -f "$pidf" ] || continue
  pid=$(cat "$pidf")
  if kill -0 "$pid" 2>/dev/null; then
    if [ "$s" = postgres ]; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SLUICE_SERVICES_DIR/postgres/data" -m fast -w stop >/dev/null 2>&1 || kill "$pid"
    else
      kill "$pid" 2>/dev/null
    fi
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    log "$s: stopped (pid $pid)"
  fi
  rm -f "$pidf" "$SLUICE_SERVICES_DIR/$s/env"
done
if [ -f "$SLUICE_SERVICES_DIR/services.env" ]; then
  grep -v -E '^SLUICE_(KAFKA|PG|MARIADB|S3|AZURITE|SNOWFLAKE)_' "$SLUICE_SERVICES_DIR/services.env" >"$SLUICE_SERVICES_DIR/services.env.tmp" || true
  for s in $ALL_SERVICES; do [ -f "$SLUICE_SERVICES_DIR/$s/env" ] && cat "$SLUICE_SERVICES_DIR/$s/env" >>"$SLUICE_SERVICES_DIR/services.env.tmp"; done
  mv "$SLUICE_SERVICES_DIR/services.env.tmp" "$SLUICE_SERVICES_DIR/services.env"
fi
