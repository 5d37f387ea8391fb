# Shared by the bench/*.sh scripts (sourced after tests/services/lib.sh, with $work, $pids and
# $tansu set): a private broker per scenario and /proc readings of a process.

# start_broker NAME — a fresh memory-backed Tansu on a free port; sets $bootstrap and $broker_pid.
start_broker() {
  local port
  port=$(free_port)
  ( exec "$tansu" broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" --storage-engine memory://tansu/ \
      >"$work/$1.broker.log" 2>&1 </dev/null ) &
  broker_pid=$!
  pids+=("$broker_pid")
  bootstrap=127.0.0.1:$port
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return; sleep 0.1; done
  die "the broker did not open port $port"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
