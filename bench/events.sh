#!/usr/bin/env bash
# docker events benchmark: latency from an API call's response to its event at the subscribers,
# with 1 and with 100 subscribers, for dockerd and berthd in the same run; and the events/s one
# subscriber receives from berthd, live and from history. Run as root from anywhere:
#   bench/events.sh
# Environment: SAMPLES (measured tags per latency run, 500), WARM (unmeasured first tags, 100),
# SUBS (the large subscriber count, 100), EVENTS (renames for the throughput run, 20000),
# PRODUCERS (concurrent API clients making them, 4), ORDER ("dockerd berthd"), BERTH_SKIP_BUILD=1.
# Uses bench/e2e.sh's daemon set-up: both daemons in one temp dir, removed at the end.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/e2e.sh
. "$here/e2e.sh"
SAMPLES=${SAMPLES:-500} WARM=${WARM:-100} SUBS=${SUBS:-100} EVENTS=${EVENTS:-20000} PRODUCERS=${PRODUCERS:-4}
. "$root/bin/lib/java.sh"
berth_find_java

client() { "$JAVA_HOME/bin/java" -XX:+UseSerialGC "$here/EventsBench.java" "$@"; }

events_main() {
  setup_daemons events
  local name subs
  declare -A L=()
  for name in $ORDER; do
    # The same warm-up for both: a round with every subscriber, so the daemons' code paths are compiled.
    log "$name: warm-up, $SUBS subscribers"
    client latency "${SOCK[$name]}" "$SUBS" "$WARM" 0 >/dev/null
    for subs in 1 "$SUBS"; do
      log "$name: latency with $subs subscriber(s), $SAMPLES tags after $WARM"
      L[$name.$subs]=$(client latency "${SOCK[$name]}" "$subs" "$SAMPLES" "$WARM")
    done
  done
  log "berthd: $EVENTS renames by $PRODUCERS clients to one subscriber"
  local tp
  tp=$(client throughput "${SOCK[berthd]}" "$EVENTS" "$PRODUCERS")

  echo
  echo "## docker events ($(date -u +%FT%TZ), $(nproc) cores, order: $ORDER)"
  echo "load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Latency: API response of a tag to the event at each subscriber (µs; an event that came"
  echo "before the response counts as 0), $SAMPLES tags after $WARM unmeasured ones."
  echo
  echo "| daemon | subscribers | p50 (µs) | p99 (µs) | max (µs) | events before the response |"
  echo "|---|---:|---:|---:|---:|---:|"
  for name in $ORDER; do
    for subs in 1 "$SUBS"; do
      read -r p50 p99 max early <<<"${L[$name.$subs]}"
      echo "| $name | $subs | $p50 | $p99 | $max | $(awk -v e="$early" 'BEGIN {printf "%.0f%%", e * 100}') |"
    done
  done
  echo
  read -r made live hist <<<"$tp"
  echo "berthd, one subscriber, $EVENTS renames by $PRODUCERS concurrent clients: made at $made events/s,"
  echo "received live at $live events/s; read back from history at $hist events/s."
}

events_main "$@"
