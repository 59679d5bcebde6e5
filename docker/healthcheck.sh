#!/bin/sh
# The image's health check: the server's own gRPC health service (grpc.health.v1.Health/Check,
# answered to anyone) on its gRPC port, spoken by curl over HTTP/2; healthy only when the answer is
# SERVING. So it goes through what a client goes through (the listener, TLS, the transport threads)
# and reports what the server reports (NOT_SERVING while PostgreSQL does not answer), for a few
# milliseconds of CPU instead of a JVM start. When the server speaks TLS (TICKVAULT_TLS_CERT is set)
# the probe does too: it trusts the server's own certificate file unless HEALTHCHECK_TLS_CA names
# the CA that signed it, and checks the name HEALTHCHECK_AUTHORITY (default localhost) in it. Under
# mutual TLS, HEALTHCHECK_TLS_CERT and HEALTHCHECK_TLS_KEY give the probe's client certificate.
# These names lack the TICKVAULT_ prefix on purpose: they are the probe's, not the server's.
set -eu
port=${TICKVAULT_GRPC_PORT:-50051}
if [ -n "${TICKVAULT_TLS_CERT:-}" ]; then
  authority=${HEALTHCHECK_AUTHORITY:-localhost}
  set -- --http2 --cacert "${HEALTHCHECK_TLS_CA:-$TICKVAULT_TLS_CERT}" --resolve "$authority:$port:127.0.0.1"
  if [ -n "${HEALTHCHECK_TLS_CERT:-}" ]; then
    set -- "$@" --cert "$HEALTHCHECK_TLS_CERT" --key "${HEALTHCHECK_TLS_KEY:?set HEALTHCHECK_TLS_KEY with HEALTHCHECK_TLS_CERT}"
  fi
  url="https://$authority:$port"
else
  set -- --http2-prior-knowledge
  url="http://127.0.0.1:$port"
fi
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT
# The request is one gRPC message frame: uncompressed, 0 bytes long (an empty HealthCheckRequest:
# the server as a whole). The answer SERVING is the frame 00 00000002 0801 (field 1 = 1).
answer=$(printf '\000\000\000\000\000' \
  | curl --silent --show-error --max-time 5 "$@" --dump-header "$headers" \
      -H 'content-type: application/grpc' -H 'te: trailers' -H 'grpc-timeout: 5S' \
      --data-binary @- "$url/grpc.health.v1.Health/Check" \
  | od -An -tx1 | tr -d ' \n')
case "$answer" in
  00000000020801) echo SERVING; exit 0 ;;
  00000000020802) echo NOT_SERVING ;;
  0000000000) echo UNKNOWN ;;
  *) echo "no health answer (${answer:-empty}): $(grep -i '^grpc-\(status\|message\)' "$headers" | tr -d '\r' | tr '\n' ' ')" ;;
esac
exit 1
