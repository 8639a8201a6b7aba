#!/usr/bin/env bash
# Runs the local single-node OpenSearch engine in the FOREGROUND (exec java), for
# honcho and pytest fixtures; SIGTERM (or Ctrl-C) stops it cleanly, exit status 0.
#
# Env (all optional):
#   OPENSEARCH_PORT            HTTP port, default 9200 (bound on 127.0.0.1 only)
#   OPENSEARCH_TRANSPORT_PORT  transport port, default OPENSEARCH_PORT+100
#                              (9200 -> 9300, 19200 -> 19300), so nodes on
#                              different HTTP ports never clash
#   OPENSEARCH_DATA_DIR        default <repo>/.local/opensearch/data
#   OPENSEARCH_LOG_DIR         default <repo>/.local/opensearch/logs/<port>
#   OPENSEARCH_HEAP            heap size, default 512m; capped at 512m
#   OPENSEARCH_JAVA_OPTS       extra JVM options
# Extra arguments are passed to the node as settings, e.g. -Elogger.level=debug
#
# Installs first (infra/opensearch/install.sh) when .local/opensearch is missing
# or out of date; that is a no-op otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
home="$repo/.local/opensearch"

die() { echo "[opensearch run] $*" >&2; exit 1; }

if [[ -z "${_OPENSEARCH_CDS_DUMP:-}" ]]; then  # (set by install.sh's own training start)
    "$here/install.sh"
fi
[[ -f "$home/classpath" ]] || die "not installed: run infra/opensearch/install.sh"

port="${OPENSEARCH_PORT:-9200}"
[[ "$port" =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) || die "bad OPENSEARCH_PORT: $port"
transport_port="${OPENSEARCH_TRANSPORT_PORT:-$((port + 100))}"
[[ "$transport_port" =~ ^[0-9]+$ ]] && (( transport_port > 0 && transport_port < 65536 )) \
    || die "bad transport port $transport_port (set OPENSEARCH_TRANSPORT_PORT)"
(( transport_port != port )) || die "transport port must differ from the HTTP port"

data_dir="${OPENSEARCH_DATA_DIR:-$home/data}"
log_dir="${OPENSEARCH_LOG_DIR:-$home/logs/$port}"
mkdir -p "$data_dir" "$log_dir"
data_dir="$(cd "$data_dir" && pwd)"
log_dir="$(cd "$log_dir" && pwd)"

# Heap: accept 256m / 512M / 1g / bytes; never above 512 MiB.
heap="${OPENSEARCH_HEAP:-512m}"
if [[ "$heap" =~ ^([0-9]+)([kKmMgG]?)$ ]]; then
    n="${BASH_REMATCH[1]}"
    case "${BASH_REMATCH[2]}" in
        g|G) mib=$((n * 1024)) ;;
        m|M) mib=$n ;;
        k|K) mib=$((n / 1024)) ;;
        *)   mib=$((n / 1048576)) ;;
    esac
else
    die "bad OPENSEARCH_HEAP: $heap (use e.g. 256m)"
fi
if (( mib > 512 )); then
    echo "[opensearch run] OPENSEARCH_HEAP=$heap is above the 512m cap, using 512m" >&2
    mib=512
fi
(( mib >= 128 )) || die "OPENSEARCH_HEAP=$heap is too small (min 128m)"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
else
    java="java"
fi

jvm_opts=(
    "-Xms${mib}m" "-Xmx${mib}m" "-Xss1m"
    "-XX:MaxDirectMemorySize=$((mib / 2))m"
    -XX:+ExitOnOutOfMemoryError
    -XX:-OmitStackTraceInFastThrow
    -XX:+ShowCodeDetailsInExceptionMessages
    "-XX:ErrorFile=$log_dir/hs_err_pid%p.log"
    -Dfile.encoding=UTF-8
    -Djava.awt.headless=true
    -Djna.nosys=true
    # what OpenSearch 2.x's launcher sets (date parsing depends on the locale providers)
    -Djava.locale.providers=SPI,COMPAT
    -Dio.netty.noUnsafe=true
    -Dio.netty.noKeySetOptimization=true
    -Dio.netty.recycler.maxCapacityPerThread=0
    -Dio.netty.allocator.numDirectArenas=0
    -Dlog4j.shutdownHookEnabled=false
    -Dlog4j2.disable.jmx=true
)
if [[ -n "${_OPENSEARCH_CDS_DUMP:-}" ]]; then
    jvm_opts+=("-XX:ArchiveClassesAtExit=$_OPENSEARCH_CDS_DUMP")
elif [[ -f "$home/cds.jsa" ]]; then
    # class-data-sharing archive made by install.sh: much faster startup
    jvm_opts+=("-XX:SharedArchiveFile=$home/cds.jsa")
fi
# Small heap, few cores: serial GC starts faster and keeps RSS lower than G1
# (unless OPENSEARCH_JAVA_OPTS picks a collector itself).
gc_re='-XX:\+Use[A-Za-z0-9]+GC'
if [[ ! "${OPENSEARCH_JAVA_OPTS:-}" =~ $gc_re ]]; then
    jvm_opts+=(-XX:+UseSerialGC)
fi
# shellcheck disable=SC2206
jvm_opts+=(${OPENSEARCH_JAVA_OPTS:-})

exec "$java" "${jvm_opts[@]}" \
    -cp "$(cat "$home/classpath")" \
    portal.opensearch.LocalOpenSearch \
    "--config=$here/config" \
    "-Epath.home=$home" \
    "-Epath.data=$data_dir" \
    "-Epath.logs=$log_dir" \
    "-Ehttp.port=$port" \
    "-Etransport.port=$transport_port" \
    "-Enode.name=portal-local-$port" \
    "$@"
