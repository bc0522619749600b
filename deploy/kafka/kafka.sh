#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, combined broker+controller) for ABAXUS tests and
# local use, without Docker: the broker jars come from Maven Central through Maven (deploy/kafka/pom.xml).
#
#   deploy/kafka/kafka.sh start    fetch jars if needed, format storage if needed, start, wait until it answers
#   deploy/kafka/kafka.sh stop     SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT seconds; 0 if none runs
#   deploy/kafka/kafka.sh status   exit 0 running and answering, 1 running but not answering, 3 not running
#   deploy/kafka/kafka.sh reset    stop, then delete the data dir (next start formats a fresh cluster)
#   deploy/kafka/kafka.sh fetch    only fetch the jars
#
# Environment (all optional):
#   KAFKA_VERSION          broker version (default: <kafka.version> in pom.xml); 3.9.x uses reload4j + controller.quorum.voters
#   KAFKA_PORT             broker (client) port on 127.0.0.1, default 19092
#   KAFKA_CONTROLLER_PORT  KRaft controller port on 127.0.0.1, default 19093
#   KAFKA_DATA_DIR         log/metadata dir, default <KAFKA_RUN_DIR>/data-<major.minor>
#   KAFKA_RUN_DIR          pid, log and generated config, default deploy/kafka/.run; one broker per run dir,
#                          so a second broker (e.g. for fault tests) needs its own, and stop/status use it too
#   KAFKA_EXTRA_LISTENERS  more listeners, comma-separated NAME://127.0.0.1:PORT where NAME is a security
#                          protocol (SSL, SASL_PLAINTEXT, SASL_SSL); their settings go in KAFKA_EXTRA_CONFIG
#   KAFKA_EXTRA_CONFIG     a file of broker properties appended to server.properties (TLS stores, SASL, ...)
#   KAFKA_SCRAM_USERS      SCRAM credentials created when the storage is formatted, space-separated
#                          'SCRAM-SHA-256=[name=alice,password=secret]' entries (StorageTool --add-scram)
#   KAFKA_HEAP_OPTS        default "-Xms256m -Xmx512m"
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer, default 90
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL, default 20
#   JAVA_HOME              java to use (else java on PATH); Java 17+ for Kafka 4.x
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"
HOST=127.0.0.1

pom_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n 1)"
KAFKA_VERSION="${KAFKA_VERSION:-$pom_version}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-20}"
KAFKA_EXTRA_LISTENERS="${KAFKA_EXTRA_LISTENERS:-}"

KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
KAFKA_MINOR_LINE="$(echo "$KAFKA_VERSION" | cut -d. -f1-2)"

RUN_DIR="${KAFKA_RUN_DIR:-$HERE/.run}"
[[ "$RUN_DIR" == /* ]] || RUN_DIR="$PWD/$RUN_DIR"
LIB_DIR="$HERE/.lib/$KAFKA_VERSION"
DATA_DIR="${KAFKA_DATA_DIR:-$RUN_DIR/data-$KAFKA_MINOR_LINE}"
[[ "$DATA_DIR" == /* ]] || DATA_DIR="$PWD/$DATA_DIR"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_FILE="$RUN_DIR/kafka.log"
STATE_FILE="$RUN_DIR/kafka.state"
PROPS="$RUN_DIR/server.properties"
LOCK_FILE="$RUN_DIR/kafka.lock"
WAIT_JS="$HERE/wait-for-kafka.js"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { printf 'kafka.sh: error: %s\n' "$*" >&2; exit 1; }

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )); }

check_config() {
  [[ -n "$KAFKA_VERSION" ]] || die "cannot tell the Kafka version (KAFKA_VERSION unset and none in $POM)"
  [[ "$KAFKA_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION must look like 4.1.2, got '$KAFKA_VERSION'"
  case "$KAFKA_MAJOR" in
    4) [[ "$KAFKA_VERSION" != 4.0.0 ]] || log "warning: Kafka 4.0.0 has known problems; prefer 4.1.x" ;;
    3) [[ "$KAFKA_MINOR_LINE" == 3.9 ]] || log "warning: only 3.9.x of the 3.x line was tried with this script" ;;
    *) die "unsupported KAFKA_VERSION $KAFKA_VERSION (use 4.x or 3.9.x)" ;;
  esac
  is_port "$KAFKA_PORT" || die "KAFKA_PORT must be a port number, got '$KAFKA_PORT'"
  is_port "$KAFKA_CONTROLLER_PORT" || die "KAFKA_CONTROLLER_PORT must be a port number, got '$KAFKA_CONTROLLER_PORT'"
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  local listener
  for listener in ${KAFKA_EXTRA_LISTENERS//,/ }; do
    [[ "$listener" =~ ^(SSL|SASL_PLAINTEXT|SASL_SSL)://127\.0\.0\.1:[0-9]+$ ]] \
      || die "KAFKA_EXTRA_LISTENERS: '$listener' is not SSL|SASL_PLAINTEXT|SASL_SSL://127.0.0.1:<port>"
  done
  [[ -z "${KAFKA_EXTRA_CONFIG:-}" || -r "${KAFKA_EXTRA_CONFIG:-}" ]] || die "KAFKA_EXTRA_CONFIG: cannot read '$KAFKA_EXTRA_CONFIG'"
}

find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    die "java not found (install a JDK/JRE 17+, or set JAVA_HOME)"
  fi
  local v
  v="$("$JAVA" -version 2>&1 | head -n 1 | sed -E 's/.*version "([0-9]+)(\.[0-9]+)?.*/\1\2/')"
  [[ "$v" == 1.* ]] && v="${v#1.}"
  v="${v%%.*}"
  if [[ "$KAFKA_MAJOR" -ge 4 && "${v:-0}" -lt 17 ]]; then
    die "Kafka $KAFKA_VERSION needs Java 17+, $JAVA is Java ${v:-unknown} (set JAVA_HOME)"
  fi
  if [[ "${v:-0}" -lt 11 ]]; then
    die "$JAVA is Java ${v:-unknown}; Kafka needs Java 11+ (17+ for 4.x)"
  fi
}

check_node() {
  command -v node >/dev/null 2>&1 || die "node not found (needed for the kafkajs readiness check)"
  (cd "$HERE" && node -e "require.resolve('kafkajs')" >/dev/null 2>&1) \
    || die "kafkajs is not installed (run 'npm ci' at the repository root)"
}

# The pid of the broker this script started, if it still runs; removes a stale pid file.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  local cmdline=""
  if [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]]; then
    cmdline="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  fi
  if grep -qxF -- "-Dabaxus.kafka.run=$RUN_DIR" <<<"$cmdline" && grep -qxF kafka.Kafka <<<"$cmdline"; then
    echo "$pid"
  else
    rm -f "$PID_FILE"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

state_get() { [[ -f "$STATE_FILE" ]] && sed -n "s/^$1=//p" "$STATE_FILE" | head -n 1; }

fetch_jars() {
  local stamp want
  want="$KAFKA_VERSION $(sha256sum "$POM" | cut -c1-64)"
  stamp="$LIB_DIR/.complete"
  if [[ -f "$stamp" && -f "$LIB_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
    # The stamp holds the version, the pom's hash and the jar count of a complete fetch.
    local n
    n="$(find "$LIB_DIR" -maxdepth 1 -name '*.jar' | wc -l)"
    [[ "$(cat "$stamp")" == "$want $n" ]] && return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (install Maven 3.8+; it fetches the broker jars from Maven Central)"
  log "fetching Kafka $KAFKA_VERSION jars with Maven (cached in ~/.m2) ..."
  local tmp mvnlog line=4
  [[ "$KAFKA_MAJOR" == 3 ]] && line=3
  tmp="$LIB_DIR.tmp.$$"
  mvnlog="$RUN_DIR/mvn-fetch.log"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -ntp -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -Dkafka.version="$KAFKA_VERSION" -Dkafka.line="$line" \
        -DoutputDirectory="$tmp" >"$mvnlog" 2>&1; then
    tail -n 40 "$mvnlog" >&2
    rm -rf "$tmp"
    die "Maven could not fetch Kafka $KAFKA_VERSION (full output: $mvnlog)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"; }
  echo "$want $(find "$tmp" -maxdepth 1 -name '*.jar' | wc -l)" >"$tmp/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
}

write_configs() {
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  local quorum listeners="PLAINTEXT://$HOST:$KAFKA_PORT" advertised="PLAINTEXT://$HOST:$KAFKA_PORT"
  local protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT" listener
  for listener in ${KAFKA_EXTRA_LISTENERS//,/ }; do
    listeners+=",$listener"
    advertised+=",$listener"
    protocols+=",${listener%%://*}:${listener%%://*}"
  done
  if [[ "$KAFKA_MAJOR" -ge 4 ]]; then
    quorum="controller.quorum.bootstrap.servers=$HOST:$KAFKA_CONTROLLER_PORT"
  else
    quorum="controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT"
  fi
  cat >"$PROPS.tmp" <<EOF
# Written by deploy/kafka/kafka.sh on every start: edit the script, not this file.
# Kafka $KAFKA_VERSION, single node, KRaft combined mode, loopback only.
process.roles=broker,controller
node.id=1
$quorum
listeners=$listeners,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
log.dirs=$DATA_DIR

# Single node: every replication factor 1, else groups and transactions never get a coordinator.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
EOF
  if [[ "$KAFKA_MAJOR" -ge 4 ]]; then
    cat >>"$PROPS.tmp" <<EOF
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
  fi
  cat >>"$PROPS.tmp" <<EOF

# Fast tests.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=4

# Small footprint.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
log.segment.bytes=16777216
log.retention.hours=72
log.retention.check.interval.ms=60000
log.index.size.max.bytes=1048576
offsets.retention.minutes=10080
EOF
  if [[ -n "${KAFKA_EXTRA_CONFIG:-}" ]]; then
    printf '\n# From KAFKA_EXTRA_CONFIG (%s).\n' "$KAFKA_EXTRA_CONFIG" >>"$PROPS.tmp"
    cat "$KAFKA_EXTRA_CONFIG" >>"$PROPS.tmp"
  fi
  mv "$PROPS.tmp" "$PROPS"

  if [[ "$KAFKA_MAJOR" -ge 4 ]]; then
    cat >"$RUN_DIR/log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by deploy/kafka/kafka.sh. Everything goes to stdout, which the script sends to .run/kafka.log. -->
<Configuration status="WARN">
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="STDOUT"/></Root>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
    <Logger name="org.apache.kafka.common.utils.AppInfoParser" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.authorizer.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="INFO"/>
    <Logger name="kafka.log.LogCleaner" level="WARN"/>
  </Loggers>
</Configuration>
EOF
  else
    cat >"$RUN_DIR/log4j.properties" <<'EOF'
# Written by deploy/kafka/kafka.sh. Everything goes to stdout, which the script sends to .run/kafka.log.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
  fi
}

java_opts() {
  # shellcheck disable=SC2206
  HEAP_OPTS=($KAFKA_HEAP_OPTS)
  LOG_OPTS=(-Djava.awt.headless=true "-Dkafka.logs.dir=$RUN_DIR/logs")
  if [[ "$KAFKA_MAJOR" -ge 4 ]]; then
    LOG_OPTS+=("-Dlog4j2.configurationFile=$RUN_DIR/log4j2.xml")
  else
    LOG_OPTS+=("-Dlog4j.configuration=file:$RUN_DIR/log4j.properties")
  fi
  JAVA_OPTS=("${HEAP_OPTS[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent "${LOG_OPTS[@]}")
}

# Format the KRaft storage once, with a fresh cluster id; refuse data formatted for another setup.
format_storage() {
  local marker="$DATA_DIR/abaxus-kafka.properties"
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    if [[ -f "$marker" ]]; then
      local line cport
      line="$(sed -n 's/^kafka.line=//p' "$marker")"
      cport="$(sed -n 's/^controller.port=//p' "$marker")"
      [[ -z "$line" || "$line" == "$KAFKA_MINOR_LINE" ]] \
        || die "$DATA_DIR was formatted by Kafka $line, not $KAFKA_MINOR_LINE: run '$0 reset' or set KAFKA_DATA_DIR"
      [[ -z "$cport" || "$cport" == "$KAFKA_CONTROLLER_PORT" ]] \
        || die "$DATA_DIR was formatted with KAFKA_CONTROLLER_PORT=$cport: use that port, run '$0 reset', or set KAFKA_DATA_DIR"
    fi
    return 0
  fi
  local cluster_id out
  cluster_id="$("$JAVA" -Xmx128m "${LOG_OPTS[@]}" -cp "$LIB_DIR/*" kafka.tools.StorageTool random-uuid 2>>"$RUN_DIR/format.log" | tail -n 1)"
  [[ -n "$cluster_id" ]] || { tail -n 20 "$RUN_DIR/format.log" >&2; die "StorageTool random-uuid failed"; }
  local args=(format -t "$cluster_id" -c "$PROPS")
  [[ "$KAFKA_MAJOR" -ge 4 ]] && args+=(--standalone)
  local scram
  for scram in ${KAFKA_SCRAM_USERS:-}; do args+=(--add-scram "$scram"); done
  if ! out="$("$JAVA" -Xmx256m "${LOG_OPTS[@]}" -cp "$LIB_DIR/*" kafka.tools.StorageTool "${args[@]}" 2>&1)"; then
    printf '%s\n' "$out" >>"$RUN_DIR/format.log"
    printf '%s\n' "$out" | tail -n 20 >&2
    die "formatting $DATA_DIR failed (if it holds old data, run '$0 reset' or set KAFKA_DATA_DIR)"
  fi
  printf '%s\n' "$out" >>"$RUN_DIR/format.log"
  printf 'kafka.line=%s\nkafka.version=%s\ncontroller.port=%s\ncluster.id=%s\n' \
    "$KAFKA_MINOR_LINE" "$KAFKA_VERSION" "$KAFKA_CONTROLLER_PORT" "$cluster_id" >"$marker"
  log "formatted $DATA_DIR (cluster id $cluster_id)"
}

kill_broker() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= KAFKA_STOP_TIMEOUT * 10 )); then
      log "broker $pid still running after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
}

take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$LOCK_FILE"
  if command -v flock >/dev/null 2>&1; then
    flock -w $((KAFKA_START_TIMEOUT + 120)) 9 || die "another kafka.sh is busy (lock $LOCK_FILE)"
  fi
}

wait_ready() { # pid timeout
  node "$WAIT_JS" --broker "$HOST:$KAFKA_PORT" --timeout "$2" --pid "$1" >/dev/null
}

cmd_start() {
  check_config
  find_java
  check_node
  take_lock

  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    local rport rversion
    rport="$(state_get port || true)"
    rversion="$(state_get version || true)"
    if [[ -n "$rport" && "$rport" != "$KAFKA_PORT" ]] || [[ -n "$rversion" && "$rversion" != "$KAFKA_VERSION" ]]; then
      die "a broker started by this script already runs (pid $pid, Kafka ${rversion:-?} on port ${rport:-?}); run '$0 stop' first"
    fi
    if node "$WAIT_JS" --broker "$HOST:$KAFKA_PORT" --once --quiet; then
      log "already running (pid $pid)"
      echo "kafka ready at $HOST:$KAFKA_PORT"
      return 0
    fi
    log "broker pid $pid runs but does not answer yet; waiting up to ${KAFKA_START_TIMEOUT}s"
    if wait_ready "$pid" "$KAFKA_START_TIMEOUT"; then
      echo "kafka ready at $HOST:$KAFKA_PORT"
      return 0
    fi
    tail -n 40 "$LOG_FILE" >&2 || true
    die "broker pid $pid does not answer on $HOST:$KAFKA_PORT; see $LOG_FILE (try '$0 stop' then start)"
  fi

  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_in_use "$p"; then
      die "$HOST:$p is already in use by a process this script did not start (choose KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi
  done

  fetch_jars
  write_configs
  java_opts
  format_storage

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  mkdir -p "$RUN_DIR/logs"
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # Own session: the broker outlives this shell and a Ctrl-C in it.
  ( cd "$RUN_DIR" && exec "${launcher[@]}" "$JAVA" "${JAVA_OPTS[@]}" "-Dabaxus.kafka.run=$RUN_DIR" \
      -cp "$LIB_DIR/*" kafka.Kafka "$PROPS" ) </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  printf 'version=%s\nport=%s\ncontroller_port=%s\ndata_dir=%s\npid=%s\n' \
    "$KAFKA_VERSION" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$DATA_DIR" "$pid" >"$STATE_FILE"

  if ! wait_ready "$pid" "$KAFKA_START_TIMEOUT"; then
    echo "---- last lines of $LOG_FILE ----" >&2
    tail -n 40 "$LOG_FILE" >&2 || true
    echo "----" >&2
    if kill -0 "$pid" 2>/dev/null; then
      kill_broker "$pid"
      die "Kafka $KAFKA_VERSION did not answer on $HOST:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s (stopped it; full log: $LOG_FILE)"
    fi
    rm -f "$PID_FILE"
    die "Kafka $KAFKA_VERSION exited during startup (full log: $LOG_FILE)"
  fi
  echo "kafka ready at $HOST:$KAFKA_PORT"
}

cmd_stop() {
  take_lock
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    echo "kafka not running"
    return 0
  fi
  kill_broker "$pid"
  echo "kafka stopped (pid $pid)"
}

cmd_status() {
  local pid port
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    echo "kafka not running"
    return 3
  fi
  port="$(state_get port || true)"
  port="${port:-$KAFKA_PORT}"
  if node "$WAIT_JS" --broker "$HOST:$port" --once --quiet; then
    echo "kafka running (pid $pid, Kafka $(state_get version || echo '?')) and ready at $HOST:$port"
    return 0
  fi
  echo "kafka running (pid $pid) but not answering on $HOST:$port; see $LOG_FILE"
  return 1
}

cmd_reset() {
  cmd_stop
  if [[ -d "$DATA_DIR" ]]; then
    rm -rf "$DATA_DIR"
    echo "kafka data removed ($DATA_DIR)"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) check_config; cmd_reset ;;
  fetch) check_config; mkdir -p "$RUN_DIR"; fetch_jars; echo "kafka $KAFKA_VERSION jars in $LIB_DIR" ;;
  *)
    echo "usage: $0 {start|stop|status|reset|fetch}" >&2
    exit 64
    ;;
esac
