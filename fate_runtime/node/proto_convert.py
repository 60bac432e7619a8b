"""Small conversions between protobuf messages and plain Python values."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2


def to_struct(value: dict[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(value or {}, struct)
    return struct
