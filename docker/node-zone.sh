#!/bin/sh
# Kubernetes init container: writes the zone of the node this pod runs on to $ZONE_FILE, for the
# entrypoint to turn into client.tag.zone (rack-aware standby placement).
#
# The downward API exposes the pod's node name (spec.nodeName) but not the node's labels, so this
# reads the Node object from the API server with the pod's service account, which needs only
# "get" on "nodes" (deploy/k8s/rbac.yaml).
#   NODE_NAME   required: from the downward API, fieldRef spec.nodeName
#   ZONE_FILE   default /var/run/sluice/zone
#   ZONE_LABEL  default topology.kubernetes.io/zone
set -eu
: "${NODE_NAME:?set NODE_NAME from the downward API (fieldRef: spec.nodeName)}"
ZONE_FILE=${ZONE_FILE:-/var/run/sluice/zone}
ZONE_LABEL=${ZONE_LABEL:-topology.kubernetes.io/zone}
SA=/var/run/secrets/kubernetes.io/serviceaccount

node_json=$(curl -fsS --max-time 10 --cacert "$SA/ca.crt" \
  -H "Authorization: Bearer $(cat "$SA/token")" \
  "https://kubernetes.default.svc/api/v1/nodes/${NODE_NAME}") || {
  echo "node-zone: cannot read node ${NODE_NAME} from the API server; does the service account" \
    "have 'get' on 'nodes' (deploy/k8s/rbac.yaml)?" >&2
  exit 1
}
zone=$(printf '%s' "$node_json" | jq -r --arg l "$ZONE_LABEL" '.metadata.labels[$l] // empty')
if [ -z "$zone" ]; then
  # One shared value keeps Kafka Streams working; it just cannot spread standbys by zone.
  echo "node-zone: node ${NODE_NAME} has no ${ZONE_LABEL} label; using zone 'unknown'" >&2
  zone=unknown
fi
printf '%s\n' "$zone" > "$ZONE_FILE"
echo "node-zone: node ${NODE_NAME} is in zone ${zone}"
