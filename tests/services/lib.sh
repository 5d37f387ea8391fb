# Shared paths and helpers for the service scripts. Sourced, never run.
#
# SLUICE_CACHE  long-lived installs (Python venv, node_modules); outside the clone so CI reruns
#               on the same machine reuse them. Default: ~/.cache/sluice
# SLUICE_SERVICES_DIR  runtime state of started servers: data dirs, logs, PIDs and services.env,
#               the file the Rust test harness reads. Default: /tmp/sluice-services
SLUICE_CACHE=${SLUICE_CACHE:-$HOME/.cache/sluice}
SLUICE_SERVICES_DIR=${SLUICE_SERVICES_DIR:-/tmp/sluice-services}
VENV=$SLUICE_CACHE/venv
NODE_PREFIX=$SLUICE_CACHE/node
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ALL_SERVICES="kafka postgres mariadb s3 azurite snowflake"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 (asked from the kernel; the tiny race until the server binds it is
# acceptable for a test machine).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port NAME PORT SECONDS — wait until something accepts TCP connections on 127.0.0.1:PORT.
wait_port() {
  local name=$1 port=$2 secs=${3:-30} i=0
  while ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
    i=$((i + 1))
    if ! service_alive "$name"; then
      log "$name exited before opening port $port; last lines of its logs:"
      tail -n 30 "$SLUICE_SERVICES_DIR/$name"/log "$SLUICE_SERVICES_DIR/$name"/stdout >&2 2>/dev/null || true
      return 1
    fi
    if [ "$i" -gt $((secs * 10)) ]; then
      log "$name did not open port $port within ${secs}s; last lines of its log:"
      tail -n 30 "$SLUICE_SERVICES_DIR/$name/log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
}

# Whether the PID recorded for a service is alive.
service_alive() {
  local pidf=$SLUICE_SERVICES_DIR/$1/pid
  [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}
