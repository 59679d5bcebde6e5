# Sourced by the checks of the example workers (.ci/python-worker.sh, .ci/node-worker.sh): the
# server built from this checkout on the embedded default, in a scratch data dir, with a worker and
# an admin token, as a worker author would run it.
#
#   start_server PORT WORKER_TOKEN ADMIN_TOKEN   starts it, waits until it is SERVING, and stops it
#                                                (and removes the scratch dir $work) on exit
#   cli ARGS...                                  the Java CLI against it, with the admin token

start_server() {
  server_target="127.0.0.1:$1"
  admin_token=$3
  work=$(mktemp -d)
  TICKVAULT_DATA_DIR="$work/data" TICKVAULT_GRPC_PORT=$1 TICKVAULT_METRICS_PORT=0 \
    TICKVAULT_WORKER_TOKENS=$2 TICKVAULT_ADMIN_TOKENS=$3 \
    java -jar server/target/tickvault-server.jar > "$work/server.log" 2>&1 &
  server_pid=$!
  trap 'kill -TERM $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 120); do
    if cli health >/dev/null 2>&1; then break; fi
    kill -0 $server_pid 2>/dev/null || { cat "$work/server.log"; echo "$(basename "$0"): the server died at start-up"; exit 1; }
    sleep 1
  done
  cli health
}

cli() {
  java -jar client/target/tickvault.jar "$@" --target "$server_target" --token "$admin_token"
}
