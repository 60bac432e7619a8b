from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UploadSettings(_message.Message):
    __slots__ = ("namespace", "table_name", "work_mode", "head", "partition", "drop", "file", "delimiter", "notes", "file_name")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    WORK_MODE_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    DROP_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    DELIMITER_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    work_mode: int
    head: int
    partition: int
    drop: int
    file: str
    delimiter: str
    notes: str
    file_name: str
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., work_mode: _Optional[int] = ..., head: _Optional[int] = ..., partition: _Optional[int] = ..., drop: _Optional[int] = ..., file: _Optional[str] = ..., delimiter: _Optional[str] = ..., notes: _Optional[str] = ..., file_name: _Optional[str] = ...) -> None: ...

class UploadChunk(_message.Message):
    __slots__ = ("settings", "data")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    settings: UploadSettings
    data: bytes
    def __init__(self, settings: _Optional[_Union[UploadSettings, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class JobFiles(_message.Message):
    __slots__ = ("job_dsl_path", "job_runtime_conf_path", "logs_directory")
    JOB_DSL_PATH_FIELD_NUMBER: _ClassVar[int]
    JOB_RUNTIME_CONF_PATH_FIELD_NUMBER: _ClassVar[int]
    LOGS_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str
    def __init__(self, job_dsl_path: _Optional[str] = ..., job_runtime_conf_path: _Optional[str] = ..., logs_directory: _Optional[str] = ...) -> None: ...

class UploadReply(_message.Message):
    __slots__ = ("job_id", "namespace", "table_name", "partition", "count", "files", "table_count", "duplicates")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    TABLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    namespace: str
    table_name: str
    partition: int
    count: int
    files: JobFiles
    table_count: int
    duplicates: int
    def __init__(self, job_id: _Optional[str] = ..., namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., partition: _Optional[int] = ..., count: _Optional[int] = ..., files: _Optional[_Union[JobFiles, _Mapping]] = ..., table_count: _Optional[int] = ..., duplicates: _Optional[int] = ...) -> None: ...

class DownloadRequest(_message.Message):
    __slots__ = ("namespace", "table_name", "output_path", "work_mode", "delimiter")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    WORK_MODE_FIELD_NUMBER: _ClassVar[int]
    DELIMITER_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    output_path: str
    work_mode: int
    delimiter: str
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., output_path: _Optional[str] = ..., work_mode: _Optional[int] = ..., delimiter: _Optional[str] = ...) -> None: ...

class DownloadReply(_message.Message):
    __slots__ = ("job_id", "output_path", "count", "files")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    output_path: str
    count: int
    files: JobFiles
    def __init__(self, job_id: _Optional[str] = ..., output_path: _Optional[str] = ..., count: _Optional[int] = ..., files: _Optional[_Union[JobFiles, _Mapping]] = ...) -> None: ...

class UploadHistoryRequest(_message.Message):
    __slots__ = ("job_id", "limit")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    limit: int
    def __init__(self, job_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class UploadRecord(_message.Message):
    __slots__ = ("job_id", "namespace", "table_name", "partition", "count", "notes", "schema", "create_time", "table_count")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    TABLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    namespace: str
    table_name: str
    partition: int
    count: int
    notes: str
    schema: _struct_pb2.Struct
    create_time: float
    table_count: int
    def __init__(self, job_id: _Optional[str] = ..., namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., partition: _Optional[int] = ..., count: _Optional[int] = ..., notes: _Optional[str] = ..., schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., create_time: _Optional[float] = ..., table_count: _Optional[int] = ...) -> None: ...

class UploadHistoryReply(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[UploadRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[UploadRecord, _Mapping]]] = ...) -> None: ...

class TableInfoRequest(_message.Message):
    __slots__ = ("namespace", "table_name", "create", "partition")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    create: bool
    partition: int
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., create: _Optional[bool] = ..., partition: _Optional[int] = ...) -> None: ...

class TableInfoReply(_message.Message):
    __slots__ = ("namespace", "table_name", "partition", "count", "schema", "create_time", "created")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    partition: int
    count: int
    schema: _struct_pb2.Struct
    create_time: float
    created: bool
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., partition: _Optional[int] = ..., count: _Optional[int] = ..., schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., create_time: _Optional[float] = ..., created: _Optional[bool] = ...) -> None: ...

class TableDeleteRequest(_message.Message):
    __slots__ = ("namespace", "table_name", "job_id", "component_name", "role", "party_id")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    job_id: str
    component_name: str
    role: str
    party_id: str
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., job_id: _Optional[str] = ..., component_name: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class TableName(_message.Message):
    __slots__ = ("namespace", "table_name")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ...) -> None: ...

class TableDeleteReply(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedCompositeFieldContainer[TableName]
    def __init__(self, deleted: _Optional[_Iterable[_Union[TableName, _Mapping]]] = ...) -> None: ...

class SubmitJobRequest(_message.Message):
    __slots__ = ("dsl_json", "conf_json")
    DSL_JSON_FIELD_NUMBER: _ClassVar[int]
    CONF_JSON_FIELD_NUMBER: _ClassVar[int]
    dsl_json: str
    conf_json: str
    def __init__(self, dsl_json: _Optional[str] = ..., conf_json: _Optional[str] = ...) -> None: ...

class SubmitJobReply(_message.Message):
    __slots__ = ("job_id", "model_id", "model_version", "files")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    model_id: str
    model_version: str
    files: JobFiles
    def __init__(self, job_id: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., files: _Optional[_Union[JobFiles, _Mapping]] = ...) -> None: ...

class JobRef(_message.Message):
    __slots__ = ("job_id", "role", "party_id")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    role: str
    party_id: str
    def __init__(self, job_id: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class JobQuery(_message.Message):
    __slots__ = ("filters", "limit")
    class FiltersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    filters: _containers.ScalarMap[str, str]
    limit: int
    def __init__(self, filters: _Optional[_Mapping[str, str]] = ..., limit: _Optional[int] = ...) -> None: ...

class JsonReply(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...

class RowsPage(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...

class StopJobReply(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class UpdateJobRequest(_message.Message):
    __slots__ = ("job_id", "role", "party_id", "notes")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    role: str
    party_id: str
    notes: str
    def __init__(self, job_id: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ..., notes: _Optional[str] = ...) -> None: ...

class UpdateJobReply(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ComponentRef(_message.Message):
    __slots__ = ("job_id", "component_name", "role", "party_id")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    component_name: str
    role: str
    party_id: str
    def __init__(self, job_id: _Optional[str] = ..., component_name: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class MetricRequest(_message.Message):
    __slots__ = ("component", "metric_namespace", "metric_name")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    METRIC_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    METRIC_NAME_FIELD_NUMBER: _ClassVar[int]
    component: ComponentRef
    metric_namespace: str
    metric_name: str
    def __init__(self, component: _Optional[_Union[ComponentRef, _Mapping]] = ..., metric_namespace: _Optional[str] = ..., metric_name: _Optional[str] = ...) -> None: ...

class MetricReply(_message.Message):
    __slots__ = ("data_json", "meta_json")
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    data_json: str
    meta_json: str
    def __init__(self, data_json: _Optional[str] = ..., meta_json: _Optional[str] = ...) -> None: ...

class OutputTablesReply(_message.Message):
    __slots__ = ("tables",)
    TABLES_FIELD_NUMBER: _ClassVar[int]
    tables: _containers.RepeatedCompositeFieldContainer[TableName]
    def __init__(self, tables: _Optional[_Iterable[_Union[TableName, _Mapping]]] = ...) -> None: ...

class OutputDataRequest(_message.Message):
    __slots__ = ("component", "limit")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    component: ComponentRef
    limit: int
    def __init__(self, component: _Optional[_Union[ComponentRef, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class OutputDataReply(_message.Message):
    __slots__ = ("rows_json", "header", "total")
    ROWS_JSON_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    rows_json: str
    header: _containers.RepeatedScalarFieldContainer[str]
    total: int
    def __init__(self, rows_json: _Optional[str] = ..., header: _Optional[_Iterable[str]] = ..., total: _Optional[int] = ...) -> None: ...

class FileChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class CleanJobReply(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedCompositeFieldContainer[TableName]
    def __init__(self, deleted: _Optional[_Iterable[_Union[TableName, _Mapping]]] = ...) -> None: ...
