#!/usr/bin/env bash
# Registry benchmark: push and pull of a 5-layer image of about 200 MB (busybox plus five committed
# layers of random data, so gzip cannot shrink them) between each daemon and its own Debian
# docker-registry on loopback, berthd against dockerd in the same run. Run as root:
#   bench/registry.sh
# Environment: LAYER_MIB (40), RUNS (pulls per daemon, 3), BERTH_SKIP_BUILD=1, TMPDIR.
# Reuses bench/e2e.sh's daemon set-up and cleanup; writes only under its temp dir.
set -Eeuo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=e2e.sh
source "$here/e2e.sh"

LAYER_MIB=${LAYER_MIB:-40} RUNS=${RUNS:-3}
declare -A REG=() REGPID=()

# A docker-registry on a free loopback port with its storage under the temp dir: start_registry NAME
start_registry() {
  local name=$1 d=$tmp/registry-$1 port
  command -v docker-registry >/dev/null || apt-get install -y -qq docker-registry >&2
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$d"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$d/data" "$port" >"$d/config.yml"
  docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
  REGPID[$name]=$!
  PID[registry-$name]=${REGPID[$name]} # so e2e's cleanup ends it too, by its PID
  SOCK[registry-$name]=/nonexistent
  REG[$name]=127.0.0.1:$port
  for _ in $(seq 1 100); do
    curl -fs "http://${REG[$name]}/v2/" >/dev/null && return
    sleep 0.1
  done
  die "registry $name did not start"
}

# Seconds the command took.
time_s() { local ms; ms=$(time_ms "$@"); awk -v ms="$ms" 'BEGIN {printf "%.2f", ms / 1000}'; }

build_image() {
  local i
  log "berthd: building the 5-layer image ($LAYER_MIB MiB a layer)"
  dk berthd tag busybox:latest big:0
  for i in 1 2 3 4 5; do
    dk berthd run --name "layer$i" "big:$((i - 1))" dd if=/dev/urandom of="/data$i" bs=1M count="$LAYER_MIB" 2>/dev/null
    dk berthd commit "layer$i" "big:$i" >/dev/null
    dk berthd rm "layer$i" >/dev/null
  done
  dk berthd tag big:5 big:latest
}

main() {
  setup_daemons registry
  start_registry berthd
  start_registry dockerd
  build_image
  local b=${REG[berthd]}/bench/big:latest d=${REG[dockerd]}/bench/big:latest i

  log "berthd: push to its registry"
  dk berthd tag big:latest "$b"
  R[berthd.push]=$(time_s dk berthd push "$b")
  log "dockerd: pull the same image from berthd's registry, push it to its own"
  R[dockerd.pull_first]=$(time_s dk dockerd pull "$b")
  dk dockerd tag "$b" "$d"
  R[dockerd.push]=$(time_s dk dockerd push "$d")

  for name in berthd dockerd; do
    local ref=$b
    [ "$name" = dockerd ] && ref=$d
    for ((i = 0; i < RUNS; i++)); do
      dk "$name" rmi -f "$ref" >/dev/null 2>&1 || true
      [ "$name" = dockerd ] && dk dockerd rmi -f "$b" >/dev/null 2>&1
      [ "$name" = berthd ] && dk berthd rmi -f big:latest big:5 big:4 big:3 big:2 big:1 big:0 >/dev/null 2>&1
      time_s dk "$name" pull "$ref" >>"$tmp/$name.pull_s"
    done
    read -r R[$name.pull] _ < <(median_p95 <"$tmp/$name.pull_s")
  done
  local size
  size=$(dk berthd image inspect --format '{{.Size}}' "$b")
  echo
  echo "## registry push/pull, berthd vs dockerd ($(date -u +%FT%TZ), $(nproc) cores)"
  echo "image: busybox + 5 layers of $LAYER_MIB MiB random data, $(awk -v s="$size" 'BEGIN {printf "%.0f", s / 1048576}') MiB; each daemon pushes to and pulls from its own docker-registry on 127.0.0.1"
  for n in dockerd berthd; do
    echo "$n: $(dk "$n" version --format '{{.Server.Version}}')"
  done
  echo
  echo "| metric | dockerd | berthd | berthd/dockerd |"
  echo "|---|---:|---:|---:|"
  local what
  for k in push pull; do
    what="to an empty registry"
    [ "$k" = pull ] && what="median of $RUNS, empty store"
    awk -v k="$k" -v w="$what" -v d="${R[dockerd.$k]}" -v b="${R[berthd.$k]}" \
      'BEGIN {printf "| %s (s, %s) | %.2f | %.2f | %.2fx |\n", k, w, d, b, b / d}'
  done
  echo "(dockerd's first pull, from berthd's registry: ${R[dockerd.pull_first]} s)"
}

main "$@"
