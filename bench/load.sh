#!/usr/bin/env bash
# Load benchmark: one berthd, CONTAINERS busybox containers running, CLIENTS concurrent docker-py
# clients for DURATION seconds (inspect, ps, ps -a with a label filter, create/start/stop/rm cycles),
# SUBSCRIBERS of them streaming /events the whole time. Reports per-operation count, errors, p50,
# p99 and max latency, events lost per subscriber, and the daemon's RSS (sampled every second).
# Run as root:  bench/load.sh [CLIENTS=100] [DURATION_S=60] [CONTAINERS=200] [SUBSCRIBERS=10]
# BERTH_SKIP_BUILD=1 uses the built daemon as is. Exits non-zero on any error or lost event.
set -Eeuo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
CLIENTS=${1:-100} DURATION=${2:-60} CONTAINERS=${3:-200} SUBSCRIBERS=${4:-10}
tmp="" pid="" sampler=""

log() { echo "load: $*" >&2; }
die() { log "$*"; exit 1; }

vmrss_kb() { local v; v=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null) || true; echo "${v:-0}"; }

# Removes what this run made: its containers, its daemon (by PID), leftover runc containers and
# conmons under the temp dir, mounts, the dir.
cleanup() {
  local rc=$? st c p
  set +e
  trap - EXIT INT TERM
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    ids=$(DOCKER_HOST=unix://$tmp/berth.sock docker ps -aq)
    [ -z "$ids" ] || DOCKER_HOST=unix://$tmp/berth.sock docker rm -f $ids >/dev/null 2>&1
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  if [ -n "$tmp" ] && [ -d "$tmp" ]; then
    while read -r st; do
      c=$(dirname "$st"); runc --root "$(dirname "$c")" delete -f "$(basename "$c")" >/dev/null 2>&1
    done < <(find "$tmp" -name state.json 2>/dev/null)
    for p in $(pgrep -f "conmon.*$tmp/"); do kill -KILL "$p" 2>/dev/null; done
    awk -v t="$tmp/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m"
    done
    rm -rf --one-file-system "$tmp"
  fi
  exit "$rc"
}

[ "$(id -u)" -eq 0 ] || die "run as root"
python3 -c 'import docker' 2>/dev/null || apt-get install -y -qq python3-docker >&2
load0=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/berth-load.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT TERM
"$root/bin/busybox-rootfs" "$tmp/busybox.tar.gz"
echo "{}" >"$tmp/daemon.json"
# bin/berthd execs the JVM, so $! is the daemon itself.
"$root/bin/berthd" -H "unix://$tmp/berth.sock" --data-root "$tmp/data" --exec-root "$tmp/exec" \
  --pidfile "$tmp/berthd.pid" --config-file "$tmp/daemon.json" --metrics-addr "" \
  --live-restore=false >"$tmp/berthd.log" 2>&1 &
pid=$!
export DOCKER_HOST=unix://$tmp/berth.sock
for _ in $(seq 1 600); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { tail -20 "$tmp/berthd.log" >&2; die "berthd exited at start"; }
  sleep 0.1
done
docker import "$tmp/busybox.tar.gz" busybox:latest >/dev/null

( while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s) $(vmrss_kb "$pid")"; sleep 1; done ) >"$tmp/rss" &
sampler=$!

rc=0
python3 "$root/bench/load.py" "$CLIENTS" "$DURATION" "$CONTAINERS" "$SUBSCRIBERS" "$tmp/phase" || rc=$?

# RSS at the start of the load (the timestamp load.py wrote), its maximum during, and at the end.
start=$(cat "$tmp/phase" 2>/dev/null || echo 0)
awk -v s="$start" '$1 >= s {n++; if (n == 1) first = $2; if ($2 > max) max = $2; last = $2}
  END {printf "\nberthd RSS (MiB): at load start %.0f, max %.0f, at end %.0f\n", first / 1024, max / 1024, last / 1024}' "$tmp/rss"
echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(date -u +%FT%TZ)"
exit "$rc"
