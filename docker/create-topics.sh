#!/bin/bash
# Creates Sluice's topics with the configs the service relies on, or brings existing ones to
# those configs. Idempotent: safe to run on every deploy. Needs the Kafka CLI tools
# (kafka-topics.sh, kafka-configs.sh), e.g. in the apache/kafka image.
#
# Environment (defaults in brackets):
#   BOOTSTRAP_SERVERS        required, e.g. kafka-1:9092,kafka-2:9092
#   COMMAND_CONFIG           client properties file for a secured cluster (TLS/SASL) []
#   KAFKA_BIN                [/opt/kafka/bin]
#   REPLICATION_FACTOR       [3]     MIN_INSYNC_REPLICAS [2]
#   REQUEST_PARTITIONS       [12]    the unit of parallelism: at most this many busy instances
#   DECISION_PARTITIONS      [12]    DEAD_LETTER_PARTITIONS [3]
#   REQUEST_RETENTION_MS     [3600000]   a request older than this is useless to its caller
#   DECISION_RETENTION_MS    [3600000]   DEAD_LETTER_RETENTION_MS [604800000]
#   TOPIC_RULES [sluice.rules]  TOPIC_RULES_APPLIED [sluice.rules-applied]
#   TOPIC_REQUESTS [sluice.requests]  TOPIC_DECISIONS [sluice.decisions]
#   TOPIC_DEAD_LETTERS [sluice.dead-letters]
#   WAIT_SECONDS             how long to wait for the cluster to answer [120]
#
# The partition count of an existing topic is never changed (that would move keys between
# partitions and split their counters); a mismatch is reported and fails the run.
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?set BOOTSTRAP_SERVERS}"
KAFKA_BIN=${KAFKA_BIN:-/opt/kafka/bin}
RF=${REPLICATION_FACTOR:-3}
MIN_ISR=${MIN_INSYNC_REPLICAS:-2}
WAIT_SECONDS=${WAIT_SECONDS:-120}
admin=(--bootstrap-server "$BOOTSTRAP_SERVERS")
if [ -n "${COMMAND_CONFIG:-}" ]; then
  admin+=(--command-config "$COMMAND_CONFIG")
fi

deadline=$((SECONDS + WAIT_SECONDS))
until "$KAFKA_BIN/kafka-topics.sh" "${admin[@]}" --list >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "create-topics: no answer from $BOOTSTRAP_SERVERS within ${WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 2
done

failed=0
# ensure NAME PARTITIONS CONFIG...
ensure() {
  local name=$1 partitions=$2
  shift 2
  local configs=("min.insync.replicas=$MIN_ISR" "$@")
  local described
  # --describe takes a regular expression: escape the dots so sluice.rules matches only itself.
  if described=$("$KAFKA_BIN/kafka-topics.sh" "${admin[@]}" --describe --topic "${name//./\\.}" \
      2>/dev/null) \
      && [ -n "$described" ]; then
    local have
    have=$(printf '%s\n' "$described" | grep -o 'PartitionCount: *[0-9]*' | head -1 | grep -o '[0-9]*$')
    if [ "$have" != "$partitions" ]; then
      echo "create-topics: $name has $have partitions, expected $partitions;" \
        "not changed (see docs/DEPLOYMENT.md, scaling out)" >&2
      failed=1
    fi
    local joined
    joined=$(IFS=,; echo "${configs[*]}")
    "$KAFKA_BIN/kafka-configs.sh" "${admin[@]}" --alter --entity-type topics \
      --entity-name "$name" --add-config "$joined"
    echo "create-topics: $name exists; configs set: $joined"
  else
    local args=()
    local c
    for c in "${configs[@]}"; do
      args+=(--config "$c")
    done
    "$KAFKA_BIN/kafka-topics.sh" "${admin[@]}" --create --if-not-exists --topic "$name" \
      --partitions "$partitions" --replication-factor "$RF" "${args[@]}"
    echo "create-topics: $name created: $partitions partitions, RF $RF, ${configs[*]}"
  fi
}

# Rules: one partition, so every instance applies rule changes in one total order; compacted,
# so the latest version of each rule id (or its tombstone) is kept forever.
ensure "${TOPIC_RULES:-sluice.rules}" 1 cleanup.policy=compact
ensure "${TOPIC_RULES_APPLIED:-sluice.rules-applied}" 1 cleanup.policy=compact
# Requests: the broker stamps the time (LogAppendTime), so clients cannot forge it.
ensure "${TOPIC_REQUESTS:-sluice.requests}" "${REQUEST_PARTITIONS:-12}" \
  cleanup.policy=delete message.timestamp.type=LogAppendTime \
  "retention.ms=${REQUEST_RETENTION_MS:-3600000}"
ensure "${TOPIC_DECISIONS:-sluice.decisions}" "${DECISION_PARTITIONS:-12}" \
  cleanup.policy=delete "retention.ms=${DECISION_RETENTION_MS:-3600000}"
ensure "${TOPIC_DEAD_LETTERS:-sluice.dead-letters}" "${DEAD_LETTER_PARTITIONS:-3}" \
  cleanup.policy=delete "retention.ms=${DEAD_LETTER_RETENTION_MS:-604800000}"

exit "$failed"
