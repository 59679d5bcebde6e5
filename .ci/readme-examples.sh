#!/usr/bin/env bash
# Runs the examples of README.md and docs/*.md against a real server, so the docs cannot drift
# from the truth. Files are read in this order, as one walkthrough: README.md, then docs/*.md
# (alphabetically), then docs/security.md last, because its mTLS server replaces the plaintext one
# that the others talk to.
#
# Blocks are marked with HTML comments (invisible on GitHub):
#   <!-- ci: server -->         the next ```sh block starts the server: run in the background,
#                               then wait until grpc.health.v1.Health says SERVING
#   <!-- ci: run -->            the next ```sh block is run, in order, in this one shell (so its
#                               exports carry over to later blocks); it must succeed
#   <!-- ci: expect TEXT -->    (after a run marker) the block's output must contain TEXT
#   <!-- ci: skip REASON -->   the next block is not run (said in the log, with the reason)
#   <!-- ci: file PATH -->      the next fenced block (any language) must equal the file PATH of
#                               this checkout, which a run block then uses (the Java worker)
# Every grpcurl command is run through `buf curl` by the grpcurl function below: CI has no
# grpcurl, and buf curl speaks the same gRPC with the same reflection. A ```sh block that mentions
# grpcurl without a marker fails the run: no example escapes the check.
#
# The blocks run in a scratch directory where server/ and client/ point at this checkout, so
# `java -jar server/target/...` works as written and files they create are thrown away.
# Needs: ./mvnw package done, buf on the PATH, ports 50051 and 9464 free. To try it by hand
# beside a running CI, set README_GRPC_PORT and README_METRICS_PORT: the examples' 50051 and
# 9464 are then rewritten to those ports, in the blocks and in what they must print.
set -euo pipefail
grpc_port=${README_GRPC_PORT:-50051}
metrics_port=${README_METRICS_PORT:-9464}
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
ln -s "$root/server" "$work/server"
ln -s "$root/client" "$work/client"
mkdir "$work/blocks"

# --- extract the marked blocks -----------------------------------------------------------
n=0; mode=""; inside=0; unmarked=0
while IFS= read -r line; do
  if [ $inside = 1 ]; then
    if [ "$line" = '```' ]; then
      inside=0
      if [ -z "$mode" ] && grep -q grpcurl "$work/blocks/current"; then
        echo "readme-examples: a grpcurl example is not marked for CI:"; cat "$work/blocks/current"; unmarked=1
      fi
      if [ "${mode%% *}" = file ]; then
        path=${mode#file }
        diff -u "$root/$path" "$work/blocks/current" > "$work/diff" \
          || { echo "readme-examples: README's copy of $path differs from the file:"; cat "$work/diff"; exit 1; }
        echo "readme-examples: README's copy of $path is the file"
      elif [ -n "$mode" ] && [ "$mode" != skip ]; then
        n=$((n + 1))
        sed -e "s/50051/$grpc_port/g" -e "s/9464/$metrics_port/g" "$work/blocks/current" \
          > "$work/blocks/$(printf %02d $n).$mode.sh"
        [ -f "$work/blocks/expect" ] && sed -e "s/50051/$grpc_port/g" -e "s/9464/$metrics_port/g" "$work/blocks/expect" \
          > "$work/blocks/$(printf %02d $n).expect" && rm "$work/blocks/expect"
      fi
      mode=""; rm -f "$work/blocks/current"
    else
      printf '%s\n' "$line" >> "$work/blocks/current"
    fi
    continue
  fi
  case "$line" in
    '<!-- ci: server -->') mode=server ;;
    '<!-- ci: run -->') mode=run ;;
    '<!-- ci: expect '*' -->')
      text=${line#'<!-- ci: expect '}; printf '%s\n' "${text%' -->'}" >> "$work/blocks/expect" ;;
    '<!-- ci: skip '*' -->') mode=skip; text=${line#'<!-- ci: skip '}; echo "readme-examples: SKIPPED: ${text%' -->'}" ;;
    '<!-- ci: file '*' -->') text=${line#'<!-- ci: file '}; mode="file ${text%' -->'}" ;;
    '```sh'|'```bash') inside=1; : > "$work/blocks/current" ;;
    '```'*) if [ "${mode%% *}" = file ]; then inside=1; : > "$work/blocks/current"; else mode=""; fi ;;
  esac
done < <(for f in README.md $(ls docs/*.md | grep -v '^docs/security.md$') docs/security.md; do cat "$f"; echo; done)
[ $unmarked = 0 ] || exit 1
echo "readme-examples: $n marked blocks"

# --- grpcurl, as buf curl ------------------------------------------------------------------
grpcurl() {
  local plaintext=0 address verb args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -plaintext) plaintext=1; shift ;;
      -cacert) args+=(--cacert "$2"); shift 2 ;;
      -cert) args+=(--cert "$2"); shift 2 ;;
      -key) args+=(--key "$2"); shift 2 ;;
      # grpcurl sends -H headers with its reflection requests too; buf curl only when told ('*').
      -H) args+=(-H "$2" --reflect-header '*'); shift 2 ;;
      -d) if [ "$2" = "@" ]; then args+=(-d @-); else args+=(-d "$2"); fi; shift 2 ;;
      -*) echo "readme-examples: grpcurl flag $1 is not translated; add it to .ci/readme-examples.sh" >&2; return 2 ;;
      *) break ;;
    esac
  done
  address=$1; verb=${2:-}
  local base="https://$address" curl=(buf curl --protocol grpc)
  if [ $plaintext = 1 ]; then base="http://$address"; curl+=(--http2-prior-knowledge); fi
  methods_of() { "${curl[@]}" "${args[@]}" --list-methods "$base" | grep "^$1/"; }
  case "$verb" in
    list) if [ -n "${3:-}" ]; then methods_of "$3"; else "${curl[@]}" "${args[@]}" --list-services "$base"; fi ;;
    # buf curl cannot print a descriptor; listing the service's methods proves it is there.
    describe) methods_of "$3" ;;
    */*) "${curl[@]}" "${args[@]}" "$base/$verb" ;;
    *) echo "readme-examples: grpcurl verb '$verb' is not translated" >&2; return 2 ;;
  esac
}
export -f grpcurl

# --- run them ------------------------------------------------------------------------------
cd "$work"
server_pid=""
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ]; then
    pkill -TERM -P "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ $rc != 0 ] && [ -f "$work/server.log" ]; then
    echo "--- server log (last 40 lines)"; tail -n 40 "$work/server.log"
  fi
  cd "$root"; rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

for block in "$work"/blocks/*.sh; do
  name=$(basename "$block" .sh)
  echo; echo "==> README example ${name%%.*} (${name#*.})"; sed 's/^/    /' "$block"
  case "$name" in
    *.server)
      if [ -n "$server_pid" ]; then # one server at a time: they share the port and the data dir
        pkill -TERM -P "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
      fi
      TICKVAULT_GRPC_PORT=$grpc_port TICKVAULT_METRICS_PORT=$metrics_port bash "$block" > "$work/server.log" 2>&1 &
      server_pid=$!
      # Listening means started: the server opens its port after migrations and the first health
      # check. (A TCP probe, because the server may speak TLS.)
      for _ in $(seq 1 120); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$grpc_port") 2>/dev/null; then break; fi
        kill -0 "$server_pid" 2>/dev/null || { echo "readme-examples: the server died at start-up"; exit 1; }
        sleep 1
      done
      (exec 3<>"/dev/tcp/127.0.0.1/$grpc_port") 2>/dev/null || { echo "readme-examples: the server did not listen in 120 s"; exit 1; }
      echo "    (server listening)"
      ;;
    *.run)
      rc=0
      # A bash of its own, so that -e holds (it would not inside a tested subshell).
      bash -e -o pipefail "$block" > "$work/out" 2>&1 || rc=$?
      sed 's/^/    | /' "$work/out"
      [ $rc = 0 ] || { echo "readme-examples: example ${name%%.*} failed with exit code $rc"; exit 1; }
      expect="$work/blocks/${name%%.*}.expect"
      if [ -f "$expect" ]; then
        while IFS= read -r text; do
          grep -qF -- "$text" "$work/out" || { echo "readme-examples: example ${name%%.*} did not print: $text"; exit 1; }
        done < "$expect"
      fi
      # Exports of a block hold for the blocks after it, as in a user's terminal.
      # shellcheck disable=SC1090
      eval "$(grep -E '^export ' "$block" || true)"
      ;;
  esac
done
echo; echo "readme-examples: ok ($n examples)"
