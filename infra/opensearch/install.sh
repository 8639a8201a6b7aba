#!/usr/bin/env bash
# Installs a local single-node OpenSearch 2.19.6 engine for dev and tests into
# <repo>/.local/opensearch/ (git-ignored), using only Maven Central through `mvn`:
#
#   lib/*.jar        server, modules (transport-netty4, analysis-common,
#                    lang-painless, mapper-extras), their dependencies and
#                    the launcher jar built from infra/opensearch/src/main/java
#   classpath        the exact classpath run.sh uses (sorted lib/*.jar)
#   cds.jsa          JVM class-data-sharing archive from one training start:
#                    roughly halves startup time (optional, rebuilt with lib/)
#   modules/ plugins/  empty; OpenSearch wants them to exist
#   .install-stamp   hash of install.sh, pom.xml, launcher sources, java version
#
# Idempotent: when the stamp matches, it does nothing and downloads nothing.
# Needs java 17+ and mvn; no root. Start the engine with infra/opensearch/run.sh.
#
# Env: MVN (default mvn), MVN_ARGS (extra maven arguments, e.g. "-s settings.xml"),
#      OPENSEARCH_NO_CDS=1 (skip the class-data-sharing training start)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
home="$repo/.local/opensearch"
stamp="$home/.install-stamp"
mvn="${MVN:-mvn}"

log() { echo "[opensearch install] $*" >&2; }

# the same java run.sh uses (the CDS archive is only valid for that JVM)
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
else
    java="$(command -v java || true)"
fi
[[ -n "$java" ]] || { log "java not found (need JDK 17+)"; exit 1; }

compute_key() {
    (
        cd "$here"
        sha256sum install.sh pom.xml $(find src -type f | LC_ALL=C sort)
        "$java" -version 2>&1 | head -n 2
        echo "$java"
    ) | sha256sum | cut -d' ' -f1
}

is_current() {
    [[ -f "$stamp" && -f "$home/classpath" && -d "$home/modules" ]] \
        && [[ "$(cat "$stamp")" == "$1" ]]
}

key="$(compute_key)"
if is_current "$key"; then
    log "up to date ($home)"
    exit 0
fi

mkdir -p "$home"
# Serialise concurrent installs (e.g. a dev node and a test fixture starting together).
exec 9>"$home/.install.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
    if is_current "$key"; then
        log "up to date ($home)"
        exit 0
    fi
fi

command -v "$mvn" >/dev/null 2>&1 || { log "maven ('$mvn') not found"; exit 1; }

log "building into $home"
rm -f "$stamp" "$home/classpath" "$home/cds.jsa"
rm -rf "$home/lib" "$home/build" "$home/classes"

mvn_cmd=("$mvn" -B -q -ntp -Dstyle.color=never -f "$here/pom.xml" package "-Dlocal.opensearch.home=$home")
# shellcheck disable=SC2206
mvn_cmd+=(${MVN_ARGS:-})

# Offline first: nothing is downloaded when ~/.m2 already holds everything.
if ! "${mvn_cmd[@]}" -o >"$home/.mvn-offline.log" 2>&1; then
    log "not everything is in ~/.m2 yet: resolving from Maven Central"
    rm -rf "$home/lib" "$home/build"
    if ! "${mvn_cmd[@]}"; then
        # one retry: a flaky download/copy should not need a manual rerun
        log "maven failed, retrying once"
        rm -rf "$home/lib" "$home/build"
        "${mvn_cmd[@]}"
    fi
fi
rm -rf "$home/build" "$home/.mvn-offline.log"

compgen -G "$home/lib/opensearch-[0-9]*.jar" >/dev/null || { log "server jar missing after build"; exit 1; }
[[ -f "$home/lib/portal-local-opensearch-launcher.jar" ]] || { log "launcher jar missing after build"; exit 1; }
mkdir -p "$home/modules" "$home/plugins"
# A fixed, explicit classpath: the CDS archive is only valid for the same one.
(cd "$home/lib" && ls -1 -- *.jar | LC_ALL=C sort | sed "s|^|$home/lib/|" | paste -sd: -) >"$home/classpath"

# Class-data-sharing archive: start the node once (throwaway data dir, free ports
# from a range) and let the JVM dump the classes it loaded when it exits.
if [[ "${OPENSEARCH_NO_CDS:-}" != 1 ]]; then
    log "training start for the class-data-sharing archive (~15 s, once)"
    train="$home/cds-training"
    rm -rf "$train"
    mkdir -p "$train"
    _OPENSEARCH_CDS_DUMP="$home/cds.jsa.tmp" \
        OPENSEARCH_DATA_DIR="$train/data" OPENSEARCH_LOG_DIR="$train/logs" \
        "$here/run.sh" -Ehttp.port=29200-29299 -Etransport.port=29300-29399 \
        >"$train/out.log" 2>&1 &
    pid=$!
    ok=0
    for _ in $(seq 1 1200); do  # up to 120 s
        if grep -q '\] started' "$train/out.log" 2>/dev/null; then ok=1; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [[ $ok == 1 && -s "$home/cds.jsa.tmp" ]]; then
        mv "$home/cds.jsa.tmp" "$home/cds.jsa"
        rm -rf "$train"
    else
        rm -f "$home/cds.jsa.tmp"
        log "WARNING: training start failed, continuing without the CDS archive; see $train/out.log"
    fi
fi

echo "$key" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp"
log "done: $(ls "$home/lib" | wc -l) jars in $home/lib$([[ -f "$home/cds.jsa" ]] && echo ", CDS archive")"
