# Sourced by the bench scripts that start a server of their own (from the repository root, after
# ./mvnw -q package -DskipTests): a scratch dir $work, removed on exit with the server in it.
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# start_server NAME [TICKVAULT_X=VALUE...]: $server_jar (default server/target/tickvault-server.jar) on the embedded
# default, on loopback, on a free port, in $work/data, with those settings too; sets port, target
# and pid once it answers SERVING, or exits (NAME says which script) with its log after 3 minutes.
start_server() {
  local name=$1 i
  shift
  port=$(free_port)
  target=127.0.0.1:$port
  env TICKVAULT_DATA_DIR="$work/data" TICKVAULT_BIND_ADDRESS=127.0.0.1 TICKVAULT_GRPC_PORT="$port" \
    TICKVAULT_METRICS_PORT=0 "$@" java -jar "${server_jar:-server/target/tickvault-server.jar}" >"$work/server.log" 2>&1 &
  pid=$!
  for i in $(seq 1 180); do
    java -jar client/target/tickvault.jar health --target "$target" >/dev/null 2>&1 && return 0
    if ! kill -0 "$pid" 2>/dev/null; then cat "$work/server.log"; echo "$name: the server died at start-up"; exit 1; fi
    [ "$i" = 180 ] && { cat "$work/server.log"; echo "$name: the server did not become SERVING"; exit 1; }
    sleep 1
  done
}
