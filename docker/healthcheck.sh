#!/bin/sh
# The image's health check: asks the server's gRPC health service (Health/Check, answered to anyone)
# with the bundled CLI, which exits 0 only when SERVING. When the server speaks TLS
# (TICKVAULT_TLS_CERT is set) the probe does too: it trusts the server's own certificate file
# unless HEALTHCHECK_TLS_CA names the CA that signed it, and checks the name HEALTHCHECK_AUTHORITY
# (default localhost) in it. Under mutual TLS, HEALTHCHECK_TLS_CERT and HEALTHCHECK_TLS_KEY give
# the probe's client certificate. These names lack the TICKVAULT_ prefix on purpose: they are the
# probe's, not the server's.
set -e
set -- health --target "127.0.0.1:${TICKVAULT_GRPC_PORT:-50051}" --deadline 5
if [ -n "${TICKVAULT_TLS_CERT:-}" ]; then
  set -- "$@" --tls-ca "${HEALTHCHECK_TLS_CA:-$TICKVAULT_TLS_CERT}" --authority "${HEALTHCHECK_AUTHORITY:-localhost}"
  if [ -n "${HEALTHCHECK_TLS_CERT:-}" ]; then
    set -- "$@" --tls-cert "$HEALTHCHECK_TLS_CERT" --tls-key "${HEALTHCHECK_TLS_KEY:?set HEALTHCHECK_TLS_KEY with HEALTHCHECK_TLS_CERT}"
  fi
fi
# A small, quickly started JVM: the probe runs every few seconds beside the server.
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -jar /opt/tickvault/tickvault.jar "$@"
