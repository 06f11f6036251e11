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

berth_find_java() {
  local candidate best="" best_version=0 v
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    v=$(berth_java_version "$candidate")
    [ -n "$v" ] || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$v" -ge 21 ]; then best=$candidate; break; fi
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_version" ]; then best=$candidate; best_version=$v; fi
  done
  if [ -z "$best" ]; then
    echo "berth: no JDK 21 or newer found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
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

berth_maven_opts() {
  if [ "$(berth_java_version "$JAVA_HOME")" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
