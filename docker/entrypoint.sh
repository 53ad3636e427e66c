#!/bin/sh
# Container entrypoint of the Sluice image: runs dev.sluice.app.SluiceMain with the arguments
# given (default: run --config /etc/sluice/sluice.properties).
#
# Configuration by environment: the app itself maps SLUICE_FOO_BAR to sluice.foo.bar when that
# is a Sluice key, else to foo.bar (a Kafka Streams / client setting), over the properties file.
# So this script passes SLUICE_* through untouched, and reads only variables NOT named SLUICE_*
# (a SLUICE_ name would also reach Kafka as an unknown setting):
#   JAVA_OPTS  JVM options (heap size, GC, ...)
#   ZONE_FILE  file holding this instance's zone (written by the Kubernetes init container);
#              used for SLUICE_CLIENT_TAG_ZONE (= client.tag.zone) unless that is already set
set -eu

if [ -z "${SLUICE_CLIENT_TAG_ZONE:-}" ] && [ -n "${ZONE_FILE:-}" ]; then
  if [ -s "$ZONE_FILE" ]; then
    SLUICE_CLIENT_TAG_ZONE=$(tr -d ' \t\r\n' < "$ZONE_FILE")
    export SLUICE_CLIENT_TAG_ZONE
  else
    echo "entrypoint: ZONE_FILE=$ZONE_FILE is missing or empty; no zone tag set" >&2
  fi
fi

# A shell or another program for debugging: docker run -it IMAGE sh
case "${1:-}" in
  sh | bash | /*) exec "$@" ;;
esac

# exec: the JVM becomes PID 1 and gets SIGTERM directly, so Kafka Streams closes cleanly
# (commits, flushes, leaves the group) within the stop grace period.
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options and must split
exec java ${JAVA_OPTS:-} -cp '/opt/sluice/lib/*' dev.sluice.app.SluiceMain "$@"
