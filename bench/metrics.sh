#!/usr/bin/env bash
# Metrics benchmark: scrape time and size of berthd's Prometheus endpoint with COUNT (200) running
# containers (busybox sleep), and the daemon CPU spent on collection per minute: the sampler's own
# time (berth_metrics_sample_seconds_sum) and the whole JVM's CPU time, over WINDOW (60) idle seconds
# at the default 5 s sampling interval. Run as root: bench/metrics.sh. Uses bench/e2e.sh's set-up.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/e2e.sh
. "$here/e2e.sh"
COUNT=${COUNT:-200} SCRAPES=${SCRAPES:-20} WINDOW=${WINDOW:-60} PORT=${PORT:-19324}
url=http://127.0.0.1:$PORT/metrics

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
sampled() { curl -s "$url" | awk '/^berth_metrics_sample_seconds_sum/ {print $2}'; }

main() {
  [ "$(id -u)" -eq 0 ] || die "run as root"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-metrics.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  "$root/bin/busybox-rootfs" "$tmp/busybox.tar.gz"
  BERTHD_JSON_KEYS="\"metrics-addr\": \"127.0.0.1:$PORT\"" start_berthd
  dk berthd import "$tmp/busybox.tar.gz" busybox:latest >/dev/null
  log "starting $COUNT containers"
  for i in $(seq 1 "$COUNT"); do dk berthd run -d --name "m$i" busybox sleep 3600 >/dev/null; done
  sleep 12 # two sampling rounds
  local times size series c0 c1 s0 s1
  times=$(for _ in $(seq 1 "$SCRAPES"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)
  size=$(curl -s "$url" | wc -c)
  series=$(curl -s "$url" | grep -vc '^#')
  log "idle for $WINDOW s"
  c0=$(cpu_seconds "${PID[berthd]}") s0=$(sampled)
  sleep "$WINDOW"
  c1=$(cpu_seconds "${PID[berthd]}") s1=$(sampled)
  echo "containers=$COUNT series=$series bytes=$size"
  echo "scrape ms: median $(echo "$times" | awk '{a[NR]=$1*1000} END {printf "%.1f", a[int((NR+1)/2)]}')," \
    "p90 $(echo "$times" | awk '{a[NR]=$1*1000} END {printf "%.1f", a[int(NR*0.9)]}')," \
    "max $(echo "$times" | tail -1 | awk '{printf "%.1f", $1*1000}')"
  awk -v a="$s0" -v b="$s1" -v w="$WINDOW" 'BEGIN {printf "sampler: %.0f ms per minute\n", (b - a) * 1000 * 60 / w}'
  awk -v a="$c0" -v b="$c1" -v w="$WINDOW" 'BEGIN {printf "daemon CPU (all threads, scrapes included): %.0f ms per minute\n", (b - a) * 1000 * 60 / w}'
}

main "$@"
