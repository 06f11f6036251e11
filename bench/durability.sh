#!/usr/bin/env bash
# What each journal sync mode costs an API call: berthd started once per mode (--journal-sync none,
# periodic, fsync), the same journaled call (POST /images/busybox/tag) made N times by curl in a
# row; p50 and p99 of the request time as curl measures it. Run as root: bench/durability.sh.
# Environment: N (500), MODES ("none periodic fsync"), BERTH_SKIP_BUILD=1.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/e2e.sh
. "$here/e2e.sh"
N=${N:-500} MODES=${MODES:-none periodic fsync}

durability_main() {
  [ "$(id -u)" -eq 0 ] || die "run as root"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-durability.XXXXXX")
  trap cleanup EXIT
  "$root/bin/busybox-rootfs" "$tmp/busybox.tar.gz"
  local mode d i
  for mode in $MODES; do
    d=$tmp/$mode
    mkdir -p "$d" && echo '{}' >"$d/daemon.json"
    SOCK[$mode]=$d/berth.sock
    start_daemon "$mode" "$root/bin/berthd" -H "unix://$d/berth.sock" --data-root "$d/data" --exec-root "$d/exec" \
      --pidfile "$d/berthd.pid" --config-file "$d/daemon.json" --journal-sync "$mode"
    dk "$mode" import "$tmp/busybox.tar.gz" busybox:latest >/dev/null
    log "$mode: $N tags"
    for ((i = 0; i < N; i++)); do
      curl -sf -o /dev/null -w '%{time_total}\n' --unix-socket "${SOCK[$mode]}" -X POST \
        "http://x/images/busybox/tag?repo=t&tag=$i" >>"$d/times"
    done
    kill -TERM "${PID[$mode]}"; wait "${PID[$mode]}" || true
    unset "PID[$mode]"
  done
  echo
  echo "## journal sync modes through the API ($(date -u +%FT%TZ), $(nproc) cores, $N calls each)"
  echo "load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| --journal-sync | p50 (ms) | p99 (ms) |"
  echo "|---|---:|---:|"
  for mode in $MODES; do
    sort -n "$tmp/$mode/times" | awk -v m="$mode" '{a[NR] = $1 * 1000}
      END {printf "| %s | %.2f | %.2f |\n", m, a[int((NR + 1) / 2)], a[int(NR * 0.99 + 0.5)]}'
  done
}

durability_main "$@"
