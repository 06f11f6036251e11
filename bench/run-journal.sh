#!/usr/bin/env bash
# Builds the bench module and runs the journal JMH benchmarks; every argument goes to JMH.
#   bench/run-journal.sh                                   # everything, as annotated (2 forks x 5 iterations)
#   bench/run-journal.sh -f 1 -wi 1 -i 2 AppendBenchmark   # a quick look at one class
#   bench/run-journal.sh -h                                # JMH's options
# Environment: JAVA_HOME (a JDK >= 21; default Temurin 25), MVN_ARGS (e.g. -o), SKIP_BUILD=1,
# and -Dberth.bench.dir=... in JAVA_OPTS to put the journals elsewhere than java.io.tmpdir.
set -euo pipefail

bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"

if [[ -z "${JAVA_HOME:-}" ]]; then
  for jdk in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
    if [[ -x "$jdk/bin/java" ]]; then JAVA_HOME="$jdk"; break; fi
  done
fi
: "${JAVA_HOME:?set JAVA_HOME to a JDK >= 21}"
export JAVA_HOME
if [[ -z "${MAVEN_OPTS:-}" ]] && "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  export MAVEN_OPTS=--sun-misc-unsafe-memory-access=allow
fi

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  # shellcheck disable=SC2086
  (cd "$root" && mvn -q -B ${MVN_ARGS:-} -Pbench -pl bench -am package -DskipTests)
fi

# jvm.args holds the root pom's berth.jvm.opens/berth.jvm.modern; JMH forks inherit the launcher's flags.
read -r -a jvm_args < "$bench/target/classes/jvm.args"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" "${jvm_args[@]}" ${JAVA_OPTS:-} \
  -cp "$bench/target/classes:$(cat "$bench/target/classpath.txt")" \
  org.openjdk.jmh.Main "$@"
