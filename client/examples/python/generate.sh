#!/usr/bin/env bash
# Generates the Python messages and stubs from the .proto files into ./generated (not committed).
# Needs Debian's protobuf-compiler, protobuf-compiler-grpc and python3-grpcio:
#   apt-get install -y python3-grpcio protobuf-compiler protobuf-compiler-grpc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
protos="$here/../../../proto/src/main/proto"
rm -rf "$here/generated"
mkdir -p "$here/generated"
protoc -I "$protos" \
  --python_out="$here/generated" \
  --grpc_out="$here/generated" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  "$protos"/tickvault/v1/*.proto
echo "generated: $(cd "$here/generated" && find . -name '*.py' | sort | tr '\n' ' ')"
