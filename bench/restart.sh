#!/usr/bin/env bash
# Restart benchmark: time from process start to the first successful /_ping.
#  1. berthd against journal length (10k, 100k, 1M events over 1,000 containers), with snapshots
#     (every 10,000 events, as the daemon takes them) and without.
#  2. berthd and dockerd, both with live-restore, restarted with RUNNING containers running
#     (busybox sleep) in the same run.
# Run as root from anywhere: bench/restart.sh. Environment: LENGTHS ("10000 100000 1000000"),
# CONTAINERS (1000), RUNNING ("0 100"), TRIES (3 per cell; the median is reported), BERTH_SKIP_BUILD=1.
# Uses bench/e2e.sh's daemon set-up (temp dir, removed at the end).
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/e2e.sh
. "$here/e2e.sh"
LENGTHS=${LENGTHS:-10000 100000 1000000} CONTAINERS=${CONTAINERS:-1000} RUNNING=${RUNNING:-0 100} TRIES=${TRIES:-3}
. "$root/bin/lib/java.sh"
berth_find_java

fill() { # fill DATA_ROOT EVENTS SNAPSHOT_EVERY
  # shellcheck disable=SC2046
  "$JAVA_HOME/bin/java" $(cat "$here/target/classes/jvm.args") -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" \
    io.berth.bench.JournalFill "$1" "$2" "$CONTAINERS" "$3" >&2
}

# Milliseconds from starting CMD... until SOCKET answers /_ping; the process is left running (PID in $started).
time_to_ping() {
  local sock=$1 t0 i; shift
  rm -f "$sock"
  t0=${EPOCHREALTIME/./}
  "$@" >>"$tmp/restart.log" 2>&1 &
  started=$!
  for i in $(seq 1 6000); do
    if [ -S "$sock" ] && curl -sf --unix-socket "$sock" http://x/_ping >/dev/null 2>&1; then
      awk -v us=$((${EPOCHREALTIME/./} - t0)) 'BEGIN {printf "%.0f\n", us / 1000}'
      return
    fi
    kill -0 "$started" 2>/dev/null || die "the daemon exited at start: $(tail -5 "$tmp/restart.log")"
    sleep 0.002
  done
  die "no /_ping within 12 s"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

berthd_cmd() { # berthd_cmd DIR
  echo "$root/bin/berthd -H unix://$1/s.sock --data-root $1/data --exec-root $1/exec --pidfile $1/pid --config-file $1/daemon.json"
}

journal_lengths() {
  local n mode d t
  for n in $LENGTHS; do
    for mode in snapshots none; do
      d=$tmp/len-$n-$mode
      mkdir -p "$d" && echo '{}' >"$d/daemon.json"
      log "berthd: $n events over $CONTAINERS containers, $mode"
      fill "$d/pristine" "$n" "$([ "$mode" = snapshots ] && echo 10000 || echo 0)"
      : >"$d/times"
      for _ in $(seq 1 "$TRIES"); do
        # A fresh copy each time: a start that replays a long tail snapshots it, which would help the next.
        rm -rf "$d/data" && cp -a --sparse=always "$d/pristine" "$d/data"
        # shellcheck disable=SC2046
        time_to_ping "$d/s.sock" $(berthd_cmd "$d") >>"$d/times"
        kill -TERM "$started"; wait "$started" || true
      done
      R[len.$n.$mode]=$(median <"$d/times")
    done
  done
}

# Restarts NAME (SIGTERM, then start again as setup_daemons did) with $1 containers running.
running_restarts() {
  local k name i d t
  for k in $RUNNING; do
    for name in $ORDER; do
      log "$name: restart with $k running containers"
      for ((i = 0; i < k; i++)); do dk "$name" run -d busybox sleep 3600 >/dev/null; done
      d=$tmp/$name
      : >"$tmp/$name.restart.$k"
      for _ in $(seq 1 "$TRIES"); do
        kill -TERM "${PID[$name]}"; wait "${PID[$name]}" || true
        if [ "$name" = berthd ]; then
          time_to_ping "${SOCK[berthd]}" "$root/bin/berthd" -H "unix://$d/berth.sock" --data-root "$d/data" \
            --exec-root "$d/exec" --pidfile "$d/berthd.pid" --config-file "$d/daemon.json" >>"$tmp/$name.restart.$k"
        else
          time_to_ping "${SOCK[dockerd]}" dockerd -H "unix://$d/docker.sock" --data-root "$d/data" --exec-root "$d/exec" \
            --pidfile "$d/docker.pid" --config-file "$d/daemon.json" --iptables=false --ip6tables=false --bridge=none \
            >>"$tmp/$name.restart.$k"
        fi
        PID[$name]=$started
      done
      [ "$(dk "$name" ps -q | wc -l)" -eq "$k" ] || die "$name: not all $k containers survived the restarts"
      R[run.$name.$k]=$(median <"$tmp/$name.restart.$k")
      remove_all "$name"
    done
  done
}

# dockerd keeps containers across its restarts only with live-restore (berthd's default).
dockerd_live_restore() {
  kill -TERM "${PID[dockerd]}"; wait "${PID[dockerd]}" || true
  DOCKERD_JSON_EXTRA=', "live-restore": true' start_dockerd
}

restart_main() {
  [ -f "$here/target/classes/io/berth/bench/JournalFill.class" ] && [ "${BERTH_SKIP_BUILD:-}" = 1 ] ||
    (cd "$root" && mvn -q -B -o -Pbench -pl bench -am package -DskipTests) >&2
  setup_daemons restart
  journal_lengths
  dockerd_live_restore
  running_restarts
  echo
  echo "## restart to first /_ping ($(date -u +%FT%TZ), $(nproc) cores, median of $TRIES, order: $ORDER)"
  echo "load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "berthd, $CONTAINERS containers in the journal (none running):"
  echo
  echo "| events | with snapshots (ms) | without (ms) |"
  echo "|---:|---:|---:|"
  local n k
  for n in $LENGTHS; do echo "| $n | ${R[len.$n.snapshots]} | ${R[len.$n.none]} |"; done
  echo
  echo "With running containers, live-restore on (both daemons' default here: berthd's own, dockerd's daemon.json):"
  echo
  echo "| running containers | dockerd (ms) | berthd (ms) |"
  echo "|---:|---:|---:|"
  for k in $RUNNING; do echo "| $k | ${R[run.dockerd.$k]} | ${R[run.berthd.$k]} |"; done
}

restart_main "$@"
