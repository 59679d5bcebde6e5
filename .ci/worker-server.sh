# Sourced by the checks of the example workers (.ci/python-worker.sh, .ci/node-worker.sh): the
# server built from this checkout on the embedded default, in a scratch data dir, with a worker and
# an admin token, as a worker author would run it.
#
#   start_server PORT WORKER_TOKEN ADMIN_TOKEN   starts it, waits until it is SERVING, and stops it
#                                                (and removes the scratch dir $work) on exit
#   cli ARGS...                                  the Java CLI against it, with the admin token
#   store_key EXCHANGE_ID CODE USER_ID ACCESS_KEY SECRET
#                                                registers the exchange and stores the user's API key
#                                                on it (label from-java) with the CLI, for the worker
#   twice COMMAND                                runs COMMAND twice, its output shown and kept in
#                                                $work/first.json and $work/second.json

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

store_key() {
  cli markets put-exchange --exchange-id "$1" --code "$2"
  cli keys put --user-id "$3" --exchange-id "$1" --access-key "$4" --secret-key-file /dev/stdin --label from-java <<< "$5"
}

twice() {
  "$@" | tee "$work/first.json"
  "$@" | tee "$work/second.json"
}
