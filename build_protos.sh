#!/usr/bin/env bash
# Regenerates the Python stubs of protos/*.proto in place (imports read `from protos import x_pb2`).
# Needs grpcio-tools (pip install -e '.[test]'). Uses $PYTHON, else ./.venv/bin/python, else python3.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-}
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
rm -f protos/*_pb2.py protos/*_pb2_grpc.py protos/*_pb2.pyi
"$python" -m grpc_tools.protoc -I . \
  --python_out=. --pyi_out=. --grpc_python_out=. \
  protos/*.proto
