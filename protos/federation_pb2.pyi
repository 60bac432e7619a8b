from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIND_UNSPECIFIED: _ClassVar[Kind]
    OBJECT: _ClassVar[Kind]
    TABLE: _ClassVar[Kind]
KIND_UNSPECIFIED: Kind
OBJECT: Kind
TABLE: Kind

class Party(_message.Message):
    __slots__ = ("role", "party_id")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    party_id: str
    def __init__(self, role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class TransferHeader(_message.Message):
    __slots__ = ("job_id", "name", "tag", "src", "dst", "kind", "partitions", "total_bytes", "total_rows", "part", "part_count", "part_rows")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    PART_FIELD_NUMBER: _ClassVar[int]
    PART_COUNT_FIELD_NUMBER: _ClassVar[int]
    PART_ROWS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    name: str
    tag: str
    src: Party
    dst: Party
    kind: Kind
    partitions: int
    total_bytes: int
    total_rows: int
    part: int
    part_count: int
    part_rows: int
    def __init__(self, job_id: _Optional[str] = ..., name: _Optional[str] = ..., tag: _Optional[str] = ..., src: _Optional[_Union[Party, _Mapping]] = ..., dst: _Optional[_Union[Party, _Mapping]] = ..., kind: _Optional[_Union[Kind, str]] = ..., partitions: _Optional[int] = ..., total_bytes: _Optional[int] = ..., total_rows: _Optional[int] = ..., part: _Optional[int] = ..., part_count: _Optional[int] = ..., part_rows: _Optional[int] = ...) -> None: ...

class TableChunk(_message.Message):
    __slots__ = ("partition", "data", "sizes")
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    SIZES_FIELD_NUMBER: _ClassVar[int]
    partition: int
    data: bytes
    sizes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, partition: _Optional[int] = ..., data: _Optional[bytes] = ..., sizes: _Optional[_Iterable[int]] = ...) -> None: ...

class TransferChunk(_message.Message):
    __slots__ = ("header", "object_data", "table_data")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    OBJECT_DATA_FIELD_NUMBER: _ClassVar[int]
    TABLE_DATA_FIELD_NUMBER: _ClassVar[int]
    header: TransferHeader
    object_data: bytes
    table_data: TableChunk
    def __init__(self, header: _Optional[_Union[TransferHeader, _Mapping]] = ..., object_data: _Optional[bytes] = ..., table_data: _Optional[_Union[TableChunk, _Mapping]] = ...) -> None: ...

class PushAck(_message.Message):
    __slots__ = ("bytes", "rows", "duplicate")
    BYTES_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    rows: int
    duplicate: bool
    def __init__(self, bytes: _Optional[int] = ..., rows: _Optional[int] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class AwaitRequest(_message.Message):
    __slots__ = ("job_id", "name", "tag", "src", "dst", "timeout_seconds")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    name: str
    tag: str
    src: Party
    dst: Party
    timeout_seconds: float
    def __init__(self, job_id: _Optional[str] = ..., name: _Optional[str] = ..., tag: _Optional[str] = ..., src: _Optional[_Union[Party, _Mapping]] = ..., dst: _Optional[_Union[Party, _Mapping]] = ..., timeout_seconds: _Optional[float] = ...) -> None: ...

class AwaitReply(_message.Message):
    __slots__ = ("complete", "kind", "namespace", "table_name", "total_bytes", "total_rows", "object_data")
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    OBJECT_DATA_FIELD_NUMBER: _ClassVar[int]
    complete: bool
    kind: Kind
    namespace: str
    table_name: str
    total_bytes: int
    total_rows: int
    object_data: bytes
    def __init__(self, complete: _Optional[bool] = ..., kind: _Optional[_Union[Kind, str]] = ..., namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., total_bytes: _Optional[int] = ..., total_rows: _Optional[int] = ..., object_data: _Optional[bytes] = ...) -> None: ...

class JobStateRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class JobStateReply(_message.Message):
    __slots__ = ("running",)
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    running: bool
    def __init__(self, running: _Optional[bool] = ...) -> None: ...
