# Sourced by the launcher scripts: picks a JDK >= 21 (JAVA_HOME first, then /usr/lib/jvm) and the
# JVM flags Chronicle, Netty and jnr need.

# The JDK's feature version (21, 25...): from its release file, which is quick (a start is timed), or
# by asking the JVM when there is none.
berth_java_version() {
  local v=""
  [ ! -f "$1/release" ] || v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  echo "$v"
}

# JAVA_HOME if it is 21 or newer, else the newest JDK >= 21 under /usr/lib/jvm (BERTH_JVM_DIR), which
# holds the distro's (RHEL 9's java-21-openjdk-headless: /usr/lib/jvm/jre-21 and the like), else the
# `java` on PATH if it is 21 or newer. Exports JAVA_HOME.
berth_find_java() {
  local candidate best="" best_version=0 v on_path=""
  if command -v java >/dev/null; then
    on_path=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  for candidate in "${JAVA_HOME:-}" "${BERTH_JVM_DIR:-/usr/lib/jvm}"/* "$on_path"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    v=$(berth_java_version "$candidate")
    [ -n "$v" ] || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$v" -ge 21 ]; then best=$candidate; break; fi
    if [ "$candidate" = "$on_path" ] && [ -n "$best" ]; then break; fi
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_version" ]; then best=$candidate; best_version=$v; fi
  done
  if [ -z "$best" ]; then
    echo "berth: no JDK 21 or newer found (set JAVA_HOME, install one under /usr/lib/jvm or put its java on PATH)" >&2
    return 1
  fi
  export JAVA_HOME=$best
}

# JVM flags for running Berth; the last two only exist on JDK 24+.
berth_jvm_flags() {
  local v
  v=$(berth_java_version "$JAVA_HOME")
  echo --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
    --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true
  if [ "$v" -ge 24 ]; then
    echo --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  fi
}

# berthd's heap and compiler settings. A small, tight heap: the state is small, and an idle daemon
# should not hold hundreds of MiB. C1 only: a daemon's paths run thousands of times, not millions,
# and on few cores the C2 compiler's work competed with requests (docker run --rm median 85-88 ms
# with C2, 78 ms without).
berth_daemon_jvm_flags() {
  echo -XX:+UseSerialGC -Xss512k -Xms16m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TieredStopAtLevel=1
}

berth_maven_opts() {
  if [ "$(berth_java_version "$JAVA_HOME")" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
