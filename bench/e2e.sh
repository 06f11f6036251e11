#!/usr/bin/env bash
# End-to-end benchmark: berthd vs Docker's dockerd, on the same machine, same busybox image, driven
# by the same stock docker CLI. Run as root from anywhere:
#   bench/e2e.sh                      # dockerd measured first, then berthd
#   ORDER="berthd dockerd" bench/e2e.sh
# Environment: RUNS (run --rm samples, 30), CYCLE (containers in the start/remove cycle, 50),
# PS_COUNT (containers present for ps -a, 200), PS_CALLS (10; as many again against
# bench/canned-daemon.py replaying each daemon's answers: the CLI's own share), BERTH_SKIP_BUILD=1
# (use the built daemon as is), TMPDIR (where the temp dir goes; must allow overlay mounts).
# Writes only under its temp dir (removed at the end) and prints the results on stdout.
set -Eeuo pipefail
export LC_ALL=C # EPOCHREALTIME and awk must use '.' as the decimal point

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30} WARMUP=3 CYCLE=${CYCLE:-50} PS_COUNT=${PS_COUNT:-200} PS_CALLS=${PS_CALLS:-10}
ORDER=${ORDER:-dockerd berthd}
# Every container gets loopback only on both daemons: dockerd runs with --bridge=none, and berthd's
# default network is a CNI bridge, so the containers ask for none themselves.
NET=(--network none)
# The stock CLI (newer than Debian's docker.io client); it negotiates the API version with each daemon.
DOCKER=/usr/local/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)

tmp="" load0=""
declare -A PID=() SOCK=() R=()
# Directories the daemons create at fixed host paths whatever their flags: containerd's shim
# sockets, dockerd's plugin dir, containerd's opt plugin, the parent cgroups of the containers.
# The ones this run creates are removed at the end (children first; rmdir, so only when empty).
host_dirs=(/run/containerd/s /run/containerd /run/docker/plugins /run/docker /opt/containerd/bin
  /opt/containerd/lib /opt/containerd)
for d in /sys/fs/cgroup /sys/fs/cgroup/*; do [ ! -d "$d" ] || host_dirs+=("$d/docker" "$d/berth"); done
new_dirs=()
for d in "${host_dirs[@]}"; do [ -e "$d" ] || new_dirs+=("$d"); done

log() { echo "e2e: $*" >&2; }
die() { log "$*"; exit 1; }
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

# The CLI against one daemon: dk NAME ARGS...
dk() { local name=$1; shift; DOCKER_HOST=unix://${SOCK[$name]} "$DOCKER" "$@"; }

# Debian's docker.io, when dockerd is missing. Its maintainer scripts may start system services
# (docker, containerd): stop them, so the only dockerd measured is the one started below.
ensure_dockerd() {
  command -v dockerd >/dev/null && return
  log "installing docker.io (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get install -y -qq --no-install-recommends docker.io)
  "${apt[@]}" >&2 || { apt-get update -qq >&2 && "${apt[@]}" >&2; }
  if [ -d /run/systemd/system ]; then
    systemctl stop docker.socket docker.service containerd.service >&2 2>/dev/null || true
  elif [ -x /etc/init.d/docker ]; then
    /etc/init.d/docker stop >&2 2>/dev/null || true
  fi
}

# Starts a daemon in the background and waits until it answers: start_daemon NAME CMD...
start_daemon() {
  local name=$1; shift
  "$@" >"$tmp/$name.log" 2>&1 &
  PID[$name]=$!
  for _ in $(seq 1 600); do
    dk "$name" version >/dev/null 2>&1 && return
    kill -0 "${PID[$name]}" 2>/dev/null || { tail -20 "$tmp/$name.log" >&2; die "$name exited at start"; }
    sleep 0.1
  done
  tail -20 "$tmp/$name.log" >&2
  die "$name did not answer within 60 s"
}

start_dockerd() {
  local d=$tmp/dockerd
  # deprecated-key-path (a daemon.json key only): 20.10 would otherwise create /etc/docker/key.json.
  # DOCKERD_JSON_EXTRA: more daemon.json keys, written as ', "key": value'.
  mkdir -p "$d" && echo "{\"deprecated-key-path\": \"$d/key.json\"${DOCKERD_JSON_EXTRA:-}}" >"$d/daemon.json"
  # dockerd uses a host containerd whenever /run/containerd/containerd.sock exists; without one it
  # starts its own under the exec root, which keeps this run isolated from the host.
  [ ! -S /run/containerd/containerd.sock ] || die "a host containerd is running; stop it first"
  SOCK[dockerd]=$d/docker.sock
  start_daemon dockerd dockerd -H "unix://$d/docker.sock" --data-root "$d/data" --exec-root "$d/exec" \
    --pidfile "$d/docker.pid" --config-file "$d/daemon.json" \
    --iptables=false --ip6tables=false --bridge=none
}

start_berthd() {
  local d=$tmp/berthd
  # BERTHD_JSON_KEYS: daemon.json keys for berthd, written as '"key": value, ...'.
  mkdir -p "$d" && echo "{${BERTHD_JSON_KEYS:-}}" >"$d/daemon.json"
  SOCK[berthd]=$d/berth.sock
  # bin/berthd execs the JVM, so $! is the java process.
  start_daemon berthd "$root/bin/berthd" -H "unix://$d/berth.sock" --data-root "$d/data" \
    --exec-root "$d/exec" --pidfile "$d/berthd.pid" --config-file "$d/daemon.json"
}

# Sum of VmRSS in MiB over the daemon's process and its helpers: dockerd + its containerd + the
# containerd-shim*s; berthd's JVM + its conmons. Helpers are found by their command line, which
# names the daemon's temp dir (conmon and the shims are reparented away from it, so ppid won't do).
rss_mib() {
  local name=$1 kb p
  kb=$(vmrss_kb "${PID[$name]}")
  for p in $(helper_pids "$tmp/$name/"); do
    kb=$((kb + $(vmrss_kb "$p")))
  done
  awk -v kb="$kb" 'BEGIN {printf "%.1f", kb / 1024}'
}

# A process may be gone by the time it is read (0 then).
vmrss_kb() { local v; v=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null) || true; echo "${v:-0}"; }

# PIDs of the conmon, containerd and containerd-shim processes whose command line contains $1.
helper_pids() {
  local f comm args
  for f in /proc/[0-9]*; do
    read -r comm 2>/dev/null <"$f/comm" || continue
    case $comm in conmon | containerd | containerd-shim*) ;; *) continue ;; esac
    mapfile -d '' args 2>/dev/null <"$f/cmdline" || continue
    [[ "${args[*]}" == *"$1"* ]] && echo "${f#/proc/}"
  done
  return 0
}

# Milliseconds the command took (its output goes to /dev/null; a failure stops the run).
time_ms() {
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >/dev/null || die "failed: $*"
  t1=${EPOCHREALTIME/./}
  awk -v us=$((t1 - t0)) 'BEGIN {printf "%.1f\n", us / 1000}'
}

# stdin: one number a line; prints "median p95" (p95 by nearest rank).
median_p95() {
  sort -n | awk '{a[NR] = $1}
    END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
         i = int(0.95 * NR); if (i < 0.95 * NR) i++
         printf "%.1f %.1f\n", m, a[i]}'
}

remove_all() { local ids; ids=$(dk "$1" ps -aq); [ -z "$ids" ] || dk "$1" rm -f $ids >/dev/null; }

bench_daemon() {
  local name=$1 i ids t0 ms
  log "$name: idle RSS"
  sleep 2 # a quiet moment before reading RSS, the same for both
  R[$name.rss_idle]=$(rss_mib "$name")

  log "$name: run --rm x $RUNS (+$WARMUP warm-up)"
  for ((i = 0; i < WARMUP; i++)); do dk "$name" run --rm "${NET[@]}" busybox true >/dev/null; done
  for ((i = 0; i < RUNS; i++)); do time_ms dk "$name" run --rm "${NET[@]}" busybox true >>"$tmp/$name.run_ms"; done
  read -r R[$name.run_p50] R[$name.run_p95] < <(median_p95 <"$tmp/$name.run_ms")

  log "$name: start $CYCLE x run -d, then one rm -f of all"
  t0=${EPOCHREALTIME/./}
  for ((i = 0; i < CYCLE; i++)); do dk "$name" run -d "${NET[@]}" busybox sleep 600 >>"$tmp/$name.ids"; done
  R[$name.cycle_start]=$(awk -v us=$((${EPOCHREALTIME/./} - t0)) 'BEGIN {printf "%.2f", us / 1e6}')
  [ "$(dk "$name" ps -q | wc -l)" -eq "$CYCLE" ] || die "$name: not all $CYCLE containers are running"
  sleep 2
  R[$name.rss_busy]=$(rss_mib "$name")
  ids=$(cat "$tmp/$name.ids")
  # The CLI removes the listed containers concurrently; SIGKILL, so no stop timeout is involved.
  ms=$(time_ms dk "$name" rm -f $ids)
  R[$name.cycle_rm]=$(awk -v ms="$ms" 'BEGIN {printf "%.2f", ms / 1000}')
  R[$name.cycle]=$(awk -v a="${R[$name.cycle_start]}" -v b="${R[$name.cycle_rm]}" 'BEGIN {printf "%.2f", a + b}')
  [ -z "$(dk "$name" ps -aq)" ] || die "$name: containers left after rm -f"

  log "$name: ps -a with $PS_COUNT containers"
  for ((i = 0; i < PS_COUNT; i++)); do dk "$name" create "${NET[@]}" busybox true >/dev/null; done
  [ "$(dk "$name" ps -aq | wc -l)" -eq "$PS_COUNT" ] || die "$name: ps -a does not list $PS_COUNT containers"
  dk "$name" ps -a >/dev/null # warm-up
  for ((i = 0; i < PS_CALLS; i++)); do time_ms dk "$name" ps -a >>"$tmp/$name.ps_ms"; done
  read -r R[$name.ps_p50] _ < <(median_p95 <"$tmp/$name.ps_ms")
  cli_share "$name"
  remove_all "$name"
}

# The same ps -a against bench/canned-daemon.py serving this daemon's own /_ping head and list body
# from memory: what the CLI alone costs (start-up, two requests, decoding and printing the rows).
cli_share() {
  local name=$1 d=$tmp/$1-canned pid i
  mkdir -p "$d"
  curl -sfI --unix-socket "${SOCK[$name]}" http://d/_ping >"$d/ping"
  # The version the CLI negotiates with this daemon, so the body is the one ps -a was given.
  local v; v=$(awk -F': *' 'tolower($1) == "api-version" {print $2}' "$d/ping" | tr -d '\r')
  curl -sf --unix-socket "${SOCK[$name]}" "http://d/v$v/containers/json?all=1" >"$d/body"
  python3 "$root/bench/canned-daemon.py" "$d/sock" "$d/ping" "$d/body" &
  pid=$!
  for _ in $(seq 1 50); do [ -S "$d/sock" ] && break; sleep 0.1; done
  [ "$(DOCKER_HOST=unix://$d/sock "$DOCKER" ps -aq | wc -l)" -eq "$PS_COUNT" ] || die "$name: the canned daemon does not list $PS_COUNT"
  for ((i = 0; i < PS_CALLS; i++)); do DOCKER_HOST=unix://$d/sock time_ms "$DOCKER" ps -a >>"$d/ms"; done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  read -r R[$name.ps_cli] _ < <(median_p95 <"$d/ms")
}

# One table row: label, metric key, goal (berthd/dockerd must be <= it; none if empty).
row() {
  local label=$1 key=$2 goal=${3:-} d=${R[dockerd.$2]} b=${R[berthd.$2]}
  awk -v l="$label" -v d="$d" -v b="$b" -v g="$goal" 'BEGIN {
    r = d > 0 ? b / d : 0; met = g == "" ? "" : (r <= g ? "yes" : "no")
    printf "| %-36s | %9s | %9s | %5.2fx | %6s | %-3s |\n", l, d, b, r, g == "" ? "" : "<= " g "x", met}'
}

report() {
  local n
  echo
  echo "## berthd vs dockerd ($(date -u +%FT%TZ), $(nproc) cores, order: $ORDER)"
  echo "load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  for n in dockerd berthd; do
    echo "$n: $(dk "$n" version --format '{{.Server.Version}} {{range .Server.Components}}{{.Name}}={{.Version}} {{end}}')"
  done
  echo
  echo "| metric                               |   dockerd |    berthd | berthd/dockerd | goal | met |"
  echo "|---|---:|---:|---:|---:|---|"
  row "run --rm true, median (ms)" run_p50 0.6
  row "run --rm true, p95 (ms)" run_p95
  row "$CYCLE x run -d sleep (s)" cycle_start
  row "rm -f of those $CYCLE (s)" cycle_rm
  row "$CYCLE-container cycle total (s)" cycle 0.7
  row "ps -a, $PS_COUNT containers, median (ms)" ps_p50 0.5
  row "  the same against a canned daemon (ms)" ps_cli
  row "RSS idle (MiB)" rss_idle
  row "RSS, $CYCLE running (MiB)" rss_busy 1.0
  echo
  echo "CLI floor (docker --version, median of 10): $(for _ in 1 2 3 4 5 6 7 8 9 10; do time_ms "$DOCKER" --version; done | median_p95 | cut -d' ' -f1) ms"
}

# Removes everything this run made: containers (through each daemon), the daemons (by the PIDs
# started here), any conmon/shim/containerd/runc container left under the temp dir, mounts, the dir.
cleanup() {
  local rc=$? name p st c d
  set +e
  trap - EXIT INT TERM ERR
  for name in "${!PID[@]}"; do kill -0 "${PID[$name]}" 2>/dev/null && remove_all "$name" 2>/dev/null; done
  for name in "${!PID[@]}"; do kill -TERM "${PID[$name]}" 2>/dev/null; done
  for name in "${!PID[@]}"; do
    for _ in $(seq 1 300); do kill -0 "${PID[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${PID[$name]}" 2>/dev/null
    wait "${PID[$name]}" 2>/dev/null
  done
  if [ -n "$tmp" ] && [ -d "$tmp" ]; then
    # Containers whose daemon died with them still running: runc state dirs hold state.json.
    while read -r st; do
      c=$(dirname "$st"); runc --root "$(dirname "$c")" delete -f "$(basename "$c")" >/dev/null 2>&1
    done < <(find "$tmp" -name state.json 2>/dev/null)
    for p in $(helper_pids "$tmp/"); do kill -KILL "$p" 2>/dev/null; done
    awk -v t="$tmp/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m"
    done
    rm -rf --one-file-system "$tmp"
  fi
  for d in "${new_dirs[@]}"; do rmdir "$d" 2>/dev/null; done
  exit "$rc"
}

# Both daemons up in a fresh temp dir (removed on exit), busybox imported into each: setup_daemons NAME
setup_daemons() {
  [ "$(id -u)" -eq 0 ] || die "run as root"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  ensure_dockerd
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-$1.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  "$root/bin/busybox-rootfs" "$tmp/busybox.tar.gz"
  log "starting dockerd and berthd under $tmp"
  start_dockerd
  start_berthd
  local name
  for name in dockerd berthd; do dk "$name" import "$tmp/busybox.tar.gz" busybox:latest >/dev/null; done
}

main() {
  setup_daemons e2e
  local name
  for name in $ORDER; do bench_daemon "$name"; done
  report
}

# Sourced (bench/events.sh reuses the daemon set-up), it only defines the functions.
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
