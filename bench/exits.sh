#!/usr/bin/env bash
# Exit, OOM and restart latency: berthd vs dockerd in the same run, same busybox, same CLI.
#   exit -> die     a container's process is killed from the host (kill -9 of its host PID, so no
#                   API call is involved) until the daemon's `die` event (its TimeNano)
#   OOM kill -> die the kernel's OOM kill (its dmesg line, on the same clock via a /dev/kmsg marker)
#                   until `die`; also until `oom`
#   die -> start    a restart policy's first restart (Docker's backoff: 100 ms), `die` to `start`
# Run as root from anywhere: bench/exits.sh. Environment: N (samples each, 15), ORDER ("dockerd
# berthd"), BERTH_SKIP_BUILD=1. Uses bench/e2e.sh's daemon set-up (temp dir, removed at the end).
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/e2e.sh
. "$here/e2e.sh"
N=${N:-15}

now_ns() { date +%s%N; }
unix() { awk -v n="$1" 'BEGIN {printf "%d.%09d", n / 1e9, n % 1e9}'; }

# The TimeNano of a container's first event named ACTION since T0: event_ns NAME ID ACTION T0
event_ns() {
  dk "$1" events --since "$(unix "$4")" --until "$(unix "$(now_ns)")" --filter "container=$2" \
    --filter "event=$3" --format '{{.TimeNano}}' | sed -n 1p
}

wait_exited() {
  local i
  for i in $(seq 1 200); do
    [ "$(dk "$1" inspect -f '{{.State.Status}}' "$2")" = exited ] && return
    sleep 0.05
  done
  die "$1: $2 did not exit"
}

# Nanoseconds to add to a kernel log timestamp (seconds since boot) to get the epoch time.
kmsg_offset_ns() {
  local mark="berth-bench-clock-$RANDOM$RANDOM" t ts
  t=$(now_ns)
  echo "$mark" >/dev/kmsg
  ts=$(dmesg | grep -F "$mark" | tail -1 | sed -E 's/^\[ *([0-9]+\.[0-9]+)\].*/\1/')
  awk -v t="$t" -v ts="$ts" 'BEGIN {printf "%.0f", t - ts * 1e9}'
}

# The epoch ns of the OOM kill in the memory cgroup of container ID: oom_kill_ns ID OFFSET
oom_kill_ns() {
  local ts
  ts=$(dmesg | grep -F "oom_memcg=" | grep -F "$1" | tail -1 | sed -E 's/^\[ *([0-9]+\.[0-9]+)\].*/\1/')
  [ -n "$ts" ] || return 1
  awk -v o="$2" -v ts="$ts" 'BEGIN {printf "%.0f", ts * 1e9 + o}'
}

ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", (b - a) / 1e6}'; }

exits_daemon() {
  local name=$1 i id pid t0 t1 off
  log "$name: exit -> die x $N"
  for ((i = 0; i < N; i++)); do
    id=$(dk "$name" run -d busybox sleep 600)
    pid=$(dk "$name" inspect -f '{{.State.Pid}}' "$id")
    t0=$(now_ns)
    kill -9 "$pid"
    wait_exited "$name" "$id"
    ms "$t0" "$(event_ns "$name" "$id" die "$t0")" >>"$tmp/$name.exit_die"
    dk "$name" rm "$id" >/dev/null
  done

  log "$name: OOM kill -> oom, die x $N"
  off=$(kmsg_offset_ns)
  for ((i = 0; i < N; i++)); do
    t1=$(now_ns)
    id=$(dk "$name" run -d -m 8m --memory-swap 8m busybox sh -c 'a=aaaaaaaa; while :; do a=$a$a; done')
    wait_exited "$name" "$id"
    if t0=$(oom_kill_ns "$id" "$off"); then
      ms "$t0" "$(event_ns "$name" "$id" oom "$t1")" >>"$tmp/$name.oom_oom"
      ms "$t0" "$(event_ns "$name" "$id" die "$t1")" >>"$tmp/$name.oom_die"
    else
      log "$name: no OOM kill line in the kernel log for $id (rate-limited?); sample skipped"
    fi
    dk "$name" rm "$id" >/dev/null
    sleep 0.6 # the kernel rate-limits its OOM reports (10 per 5 s)
  done

  log "$name: die -> start of the first policy restart x $N"
  for ((i = 0; i < N; i++)); do
    t1=$(now_ns)
    id=$(dk "$name" run -d --restart on-failure:1 busybox sh -c 'exit 1')
    for _ in $(seq 1 200); do
      [ "$(dk "$name" inspect -f '{{.RestartCount}} {{.State.Status}}' "$id")" = "1 exited" ] && break
      sleep 0.05
    done
    # The first die, and the start after it (the second start of the container).
    t0=$(event_ns "$name" "$id" die "$t1")
    ms "$t0" "$(dk "$name" events --since "$(unix "$t1")" --until "$(unix "$(now_ns)")" --filter "container=$id" \
      --filter event=start --format '{{.TimeNano}}' | sed -n 2p)" >>"$tmp/$name.die_start"
    dk "$name" rm "$id" >/dev/null
  done
}

# berthd only: die -> start of a restart a transition policy decided (100 ms, as Docker's first),
# against the built-in on-failure restart above; the difference is what asking the policy adds.
policy_restarts() {
  local i id t1 t0
  log "berthd: die -> start of a policy's restart x $N"
  dk berthd run --rm busybox true >/dev/null # the policy engine is made in the background at start
  for ((i = 0; i < N; i++)); do
    t1=$(now_ns)
    id=$(dk berthd run -d --label berth.policy=hundred busybox sh -c 'exit 1')
    for _ in $(seq 1 200); do
      [ "$(dk berthd inspect -f '{{.RestartCount}} {{.State.Status}}' "$id")" = "1 exited" ] && break
      sleep 0.05
    done
    t0=$(event_ns berthd "$id" die "$t1")
    ms "$t0" "$(dk berthd events --since "$(unix "$t1")" --until "$(unix "$(now_ns)")" --filter "container=$id" \
      --filter event=start --format '{{.TimeNano}}' | sed -n 2p)" >>"$tmp/berthd.policy_start"
    dk berthd rm "$id" >/dev/null
  done
}

# Median, p90 and max of the numbers in a file, and how many there are.
stats() { sort -n "$1" | awk '{a[NR] = $1} END {printf "%.1f | %.1f | %.1f | %d", a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR], NR}'; }

exits_main() {
  policies=$(mktemp -d "${TMPDIR:-/tmp}/berth-policies.XXXXXX")
  # Restart once after 100 ms, then let Docker's (absent) policy decide.
  echo 'function onExit(ctx) { return ctx.restartCount < 1 ? {action: "restart", delayMs: 100} : {action: "default"}; }' \
    >"$policies/hundred.js"
  export BERTHD_JSON_KEYS="\"policy-dir\": \"$policies\""
  setup_daemons exits
  local name m
  for name in $ORDER; do exits_daemon "$name"; done
  policy_restarts
  rm -rf "$policies"
  echo
  echo "## exits, OOM kills and restarts ($(date -u +%FT%TZ), $(nproc) cores, $N samples each, order: $ORDER)"
  echo "load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| measure (ms) | daemon | median | p90 | max | samples |"
  echo "|---|---|---:|---:|---:|---:|"
  for m in "exit_die:process killed -> die" "oom_oom:kernel OOM kill -> oom" "oom_die:kernel OOM kill -> die" \
      "die_start:die -> start (incl. the 100 ms backoff)"; do
    for name in $ORDER; do
      echo "| ${m#*:} | $name | $(stats "$tmp/$name.${m%%:*}") |"
    done
  done
  echo "| die -> start, a policy's restart after 100 ms | berthd | $(stats "$tmp/berthd.policy_start") |"
}

exits_main "$@"
