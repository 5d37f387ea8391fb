#!/usr/bin/env bash
# The test command (README): installs and starts every server the tests need on free ports of
# 127.0.0.1, runs the whole test suite with cargo-nextest, then stops the servers. Extra
# arguments go to `cargo nextest run` (e.g. `-p sluice-postgres` or a test-name filter).
#
# Servers live in a fresh $SLUICE_SERVICES_DIR for this run (unless one is given), so a run never
# disturbs servers a developer started by hand. Prints a timing line per phase.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/sluice-target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
if [ -z "${SLUICE_SERVICES_DIR:-}" ]; then
  SLUICE_SERVICES_DIR=$(mktemp -d /tmp/sluice-services.XXXXXX)
  own_dir=1
fi
export SLUICE_SERVICES_DIR

t_all=$(date +%s)
phase() { # phase NAME CMD... — runs CMD and prints how long it took
  local name=$1 t0 rc=0; shift
  t0=$(date +%s)
  "$@" || rc=$?
  printf '== phase %-8s %4ss (exit %s)\n' "$name" $(( $(date +%s) - t0 )) "$rc"
  return "$rc"
}

stop_servers() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -d "$SLUICE_SERVICES_DIR" ]; then
    echo "== tests failed: last lines of the servers' logs (kept in $SLUICE_SERVICES_DIR)"
    for f in "$SLUICE_SERVICES_DIR"/*/log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
  fi
  phase stop bash tests/services/stop.sh || true
  [ "${own_dir:-0}" = 1 ] && [ "$rc" -eq 0 ] && rm -rf "$SLUICE_SERVICES_DIR"
  printf '== total %ss (exit %s)\n' $(( $(date +%s) - t_all )) "$rc"
  exit "$rc"
}
trap stop_servers EXIT

command -v cargo-nextest >/dev/null || phase nextest cargo install cargo-nextest --locked
phase install bash tests/services/install.sh
phase build cargo nextest run --workspace --no-run
phase compose docker-compose -f docker/docker-compose.yml config --quiet
phase start bash tests/services/start.sh
phase test cargo nextest run --workspace "$@"
