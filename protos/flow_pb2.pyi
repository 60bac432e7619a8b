from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UploadSettings(_message.Message):
    __slots__ = ("namespace", "table_name", "work_mode", "head", "partition", "drop", "file", "delimiter", "notes", "file_name", "backend")
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
    BACKEND_FIELD_NUMBER: _ClassVar[int]
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
    backend: int
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., work_mode: _Optional[int] = ..., head: _Optional[int] = ..., partition: _Optional[int] = ..., drop: _Optional[int] = ..., file: _Optional[str] = ..., delimiter: _Optional[str] = ..., notes: _Optional[str] = ..., file_name: _Optional[str] = ..., backend: _Optional[int] = ...) -> None: ...

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

class JobRow(_message.Message):
    __slots__ = ("job_id", "role", "party_id", "name", "description", "tag", "roles_json", "work_mode", "initiator_party_id", "is_initiator", "dsl_json", "runtime_conf_json", "run_ip", "status", "progress", "current_steps", "current_tasks", "create_time", "update_time", "start_time", "end_time", "elapsed", "retmsg", "train_runtime_conf_json")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    ROLES_JSON_FIELD_NUMBER: _ClassVar[int]
    WORK_MODE_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    IS_INITIATOR_FIELD_NUMBER: _ClassVar[int]
    DSL_JSON_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_CONF_JSON_FIELD_NUMBER: _ClassVar[int]
    RUN_IP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STEPS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_TASKS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    TRAIN_RUNTIME_CONF_JSON_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    role: str
    party_id: str
    name: str
    description: str
    tag: str
    roles_json: str
    work_mode: int
    initiator_party_id: str
    is_initiator: bool
    dsl_json: str
    runtime_conf_json: str
    run_ip: str
    status: str
    progress: int
    current_steps: _containers.RepeatedScalarFieldContainer[str]
    current_tasks: _containers.RepeatedScalarFieldContainer[str]
    create_time: int
    update_time: int
    start_time: int
    end_time: int
    elapsed: int
    retmsg: str
    train_runtime_conf_json: str
    def __init__(self, job_id: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., tag: _Optional[str] = ..., roles_json: _Optional[str] = ..., work_mode: _Optional[int] = ..., initiator_party_id: _Optional[str] = ..., is_initiator: _Optional[bool] = ..., dsl_json: _Optional[str] = ..., runtime_conf_json: _Optional[str] = ..., run_ip: _Optional[str] = ..., status: _Optional[str] = ..., progress: _Optional[int] = ..., current_steps: _Optional[_Iterable[str]] = ..., current_tasks: _Optional[_Iterable[str]] = ..., create_time: _Optional[int] = ..., update_time: _Optional[int] = ..., start_time: _Optional[int] = ..., end_time: _Optional[int] = ..., elapsed: _Optional[int] = ..., retmsg: _Optional[str] = ..., train_runtime_conf_json: _Optional[str] = ...) -> None: ...

class TaskRow(_message.Message):
    __slots__ = ("job_id", "component_name", "task_id", "role", "party_id", "status", "run_ip", "run_pid", "retmsg", "create_time", "update_time", "start_time", "end_time", "elapsed")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_NAME_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RUN_IP_FIELD_NUMBER: _ClassVar[int]
    RUN_PID_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    component_name: str
    task_id: str
    role: str
    party_id: str
    status: str
    run_ip: str
    run_pid: int
    retmsg: str
    create_time: int
    update_time: int
    start_time: int
    end_time: int
    elapsed: int
    def __init__(self, job_id: _Optional[str] = ..., component_name: _Optional[str] = ..., task_id: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ..., status: _Optional[str] = ..., run_ip: _Optional[str] = ..., run_pid: _Optional[int] = ..., retmsg: _Optional[str] = ..., create_time: _Optional[int] = ..., update_time: _Optional[int] = ..., start_time: _Optional[int] = ..., end_time: _Optional[int] = ..., elapsed: _Optional[int] = ...) -> None: ...

class JobConfigReply(_message.Message):
    __slots__ = ("dsl_json", "runtime_conf_json", "train_runtime_conf_json", "model_id", "model_version")
    DSL_JSON_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_CONF_JSON_FIELD_NUMBER: _ClassVar[int]
    TRAIN_RUNTIME_CONF_JSON_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    dsl_json: str
    runtime_conf_json: str
    train_runtime_conf_json: str
    model_id: str
    model_version: str
    def __init__(self, dsl_json: _Optional[str] = ..., runtime_conf_json: _Optional[str] = ..., train_runtime_conf_json: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ...) -> None: ...

class InputTable(_message.Message):
    __slots__ = ("role", "party_id", "name", "namespace", "table_name")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role: str
    party_id: str
    name: str
    namespace: str
    table_name: str
    def __init__(self, role: _Optional[str] = ..., party_id: _Optional[str] = ..., name: _Optional[str] = ..., namespace: _Optional[str] = ..., table_name: _Optional[str] = ...) -> None: ...

class DataViewReply(_message.Message):
    __slots__ = ("job_id", "role", "party_id", "status", "roles_json", "inputs")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROLES_JSON_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    role: str
    party_id: str
    status: str
    roles_json: str
    inputs: _containers.RepeatedCompositeFieldContainer[InputTable]
    def __init__(self, job_id: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ..., status: _Optional[str] = ..., roles_json: _Optional[str] = ..., inputs: _Optional[_Iterable[_Union[InputTable, _Mapping]]] = ...) -> None: ...

class DagComponent(_message.Message):
    __slots__ = ("name", "module", "upstream", "need_run")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODULE_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_FIELD_NUMBER: _ClassVar[int]
    NEED_RUN_FIELD_NUMBER: _ClassVar[int]
    name: str
    module: str
    upstream: _containers.RepeatedScalarFieldContainer[str]
    need_run: bool
    def __init__(self, name: _Optional[str] = ..., module: _Optional[str] = ..., upstream: _Optional[_Iterable[str]] = ..., need_run: _Optional[bool] = ...) -> None: ...

class DagReply(_message.Message):
    __slots__ = ("components",)
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    components: _containers.RepeatedCompositeFieldContainer[DagComponent]
    def __init__(self, components: _Optional[_Iterable[_Union[DagComponent, _Mapping]]] = ...) -> None: ...

class MetricName(_message.Message):
    __slots__ = ("namespace", "name")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    name: str
    def __init__(self, namespace: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class MetricNames(_message.Message):
    __slots__ = ("metrics",)
    METRICS_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedCompositeFieldContainer[MetricName]
    def __init__(self, metrics: _Optional[_Iterable[_Union[MetricName, _Mapping]]] = ...) -> None: ...

class MetricPoint(_message.Message):
    __slots__ = ("key_json", "value_json")
    KEY_JSON_FIELD_NUMBER: _ClassVar[int]
    VALUE_JSON_FIELD_NUMBER: _ClassVar[int]
    key_json: str
    value_json: str
    def __init__(self, key_json: _Optional[str] = ..., value_json: _Optional[str] = ...) -> None: ...

class Metric(_message.Message):
    __slots__ = ("namespace", "name", "points", "meta_json")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    name: str
    points: _containers.RepeatedCompositeFieldContainer[MetricPoint]
    meta_json: str
    def __init__(self, namespace: _Optional[str] = ..., name: _Optional[str] = ..., points: _Optional[_Iterable[_Union[MetricPoint, _Mapping]]] = ..., meta_json: _Optional[str] = ...) -> None: ...

class ParametersReply(_message.Message):
    __slots__ = ("module", "parameters_json", "module_roles")
    MODULE_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_JSON_FIELD_NUMBER: _ClassVar[int]
    MODULE_ROLES_FIELD_NUMBER: _ClassVar[int]
    module: str
    parameters_json: str
    module_roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, module: _Optional[str] = ..., parameters_json: _Optional[str] = ..., module_roles: _Optional[_Iterable[str]] = ...) -> None: ...

class ModelBuffer(_message.Message):
    __slots__ = ("name", "type", "json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    json: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., json: _Optional[str] = ...) -> None: ...

class OutputModelReply(_message.Message):
    __slots__ = ("module", "alias", "model_id", "model_version", "buffers")
    MODULE_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    BUFFERS_FIELD_NUMBER: _ClassVar[int]
    module: str
    alias: str
    model_id: str
    model_version: str
    buffers: _containers.RepeatedCompositeFieldContainer[ModelBuffer]
    def __init__(self, module: _Optional[str] = ..., alias: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., buffers: _Optional[_Iterable[_Union[ModelBuffer, _Mapping]]] = ...) -> None: ...

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

class OutputRow(_message.Message):
    __slots__ = ("cells_json",)
    CELLS_JSON_FIELD_NUMBER: _ClassVar[int]
    cells_json: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cells_json: _Optional[_Iterable[str]] = ...) -> None: ...

class OutputDataPage(_message.Message):
    __slots__ = ("rows", "header", "total")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[OutputRow]
    header: _containers.RepeatedScalarFieldContainer[str]
    total: int
    def __init__(self, rows: _Optional[_Iterable[_Union[OutputRow, _Mapping]]] = ..., header: _Optional[_Iterable[str]] = ..., total: _Optional[int] = ...) -> None: ...

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

class DataViewRow(_message.Message):
    __slots__ = ("job_id", "role", "party_id", "component_name", "task_id", "table_namespace", "table_name", "partition", "table_count_upload", "table_count_actual", "create_time", "update_time", "party_model_id", "model_version", "type", "ttl", "size", "description", "tag", "table_now_count")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_NAME_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    TABLE_COUNT_UPLOAD_FIELD_NUMBER: _ClassVar[int]
    TABLE_COUNT_ACTUAL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PARTY_MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TABLE_NOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    role: str
    party_id: str
    component_name: str
    task_id: str
    table_namespace: str
    table_name: str
    partition: int
    table_count_upload: int
    table_count_actual: int
    create_time: int
    update_time: int
    party_model_id: str
    model_version: str
    type: str
    ttl: int
    size: int
    description: str
    tag: str
    table_now_count: int
    def __init__(self, job_id: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ..., component_name: _Optional[str] = ..., task_id: _Optional[str] = ..., table_namespace: _Optional[str] = ..., table_name: _Optional[str] = ..., partition: _Optional[int] = ..., table_count_upload: _Optional[int] = ..., table_count_actual: _Optional[int] = ..., create_time: _Optional[int] = ..., update_time: _Optional[int] = ..., party_model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., type: _Optional[str] = ..., ttl: _Optional[int] = ..., size: _Optional[int] = ..., description: _Optional[str] = ..., tag: _Optional[str] = ..., table_now_count: _Optional[int] = ...) -> None: ...

class DownloadStarted(_message.Message):
    __slots__ = ("job_id", "files", "header_lines")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    HEADER_LINES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    files: JobFiles
    header_lines: int
    def __init__(self, job_id: _Optional[str] = ..., files: _Optional[_Union[JobFiles, _Mapping]] = ..., header_lines: _Optional[int] = ...) -> None: ...

class DownloadPiece(_message.Message):
    __slots__ = ("started", "data")
    STARTED_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    started: DownloadStarted
    data: bytes
    def __init__(self, started: _Optional[_Union[DownloadStarted, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class PartyRef(_message.Message):
    __slots__ = ("role", "party_id")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    party_id: str
    def __init__(self, role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class ModelPublishRequest(_message.Message):
    __slots__ = ("model_id", "model_version", "initiator", "parties", "work_mode", "service_id", "feature_tables")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    WORK_MODE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TABLES_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    model_version: str
    initiator: PartyRef
    parties: _containers.RepeatedCompositeFieldContainer[PartyRef]
    work_mode: int
    service_id: str
    feature_tables: _containers.RepeatedCompositeFieldContainer[HostFeatureTable]
    def __init__(self, model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., initiator: _Optional[_Union[PartyRef, _Mapping]] = ..., parties: _Optional[_Iterable[_Union[PartyRef, _Mapping]]] = ..., work_mode: _Optional[int] = ..., service_id: _Optional[str] = ..., feature_tables: _Optional[_Iterable[_Union[HostFeatureTable, _Mapping]]] = ...) -> None: ...

class PartyStepResult(_message.Message):
    __slots__ = ("role", "party_id", "status_code", "message")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    role: str
    party_id: str
    status_code: int
    message: str
    def __init__(self, role: _Optional[str] = ..., party_id: _Optional[str] = ..., status_code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class ModelPublishReply(_message.Message):
    __slots__ = ("job_id", "parties")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    parties: _containers.RepeatedCompositeFieldContainer[PartyStepResult]
    def __init__(self, job_id: _Optional[str] = ..., parties: _Optional[_Iterable[_Union[PartyStepResult, _Mapping]]] = ...) -> None: ...

class ModelTransferRequest(_message.Message):
    __slots__ = ("model_id", "model_version")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    model_version: str
    def __init__(self, model_id: _Optional[str] = ..., model_version: _Optional[str] = ...) -> None: ...

class TransferredBuffer(_message.Message):
    __slots__ = ("key", "data")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    key: str
    data: bytes
    def __init__(self, key: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class ModelTransferReply(_message.Message):
    __slots__ = ("buffers",)
    BUFFERS_FIELD_NUMBER: _ClassVar[int]
    buffers: _containers.RepeatedCompositeFieldContainer[TransferredBuffer]
    def __init__(self, buffers: _Optional[_Iterable[_Union[TransferredBuffer, _Mapping]]] = ...) -> None: ...

class ComponentNames(_message.Message):
    __slots__ = ("names",)
    NAMES_FIELD_NUMBER: _ClassVar[int]
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, names: _Optional[_Iterable[str]] = ...) -> None: ...

class PredictDslRequest(_message.Message):
    __slots__ = ("components_text", "components", "train_dsl_json", "dsl_version")
    COMPONENTS_TEXT_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    TRAIN_DSL_JSON_FIELD_NUMBER: _ClassVar[int]
    DSL_VERSION_FIELD_NUMBER: _ClassVar[int]
    components_text: str
    components: ComponentNames
    train_dsl_json: str
    dsl_version: str
    def __init__(self, components_text: _Optional[str] = ..., components: _Optional[_Union[ComponentNames, _Mapping]] = ..., train_dsl_json: _Optional[str] = ..., dsl_version: _Optional[str] = ...) -> None: ...

class PredictDslReply(_message.Message):
    __slots__ = ("dsl_json",)
    DSL_JSON_FIELD_NUMBER: _ClassVar[int]
    dsl_json: str
    def __init__(self, dsl_json: _Optional[str] = ...) -> None: ...

class ModelVersionRef(_message.Message):
    __slots__ = ("model_id", "model_version", "role", "party_id")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    model_version: str
    role: str
    party_id: str
    def __init__(self, model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class ModelRepositoryRequest(_message.Message):
    __slots__ = ("version", "store_address_json", "force_update")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STORE_ADDRESS_JSON_FIELD_NUMBER: _ClassVar[int]
    FORCE_UPDATE_FIELD_NUMBER: _ClassVar[int]
    version: ModelVersionRef
    store_address_json: str
    force_update: bool
    def __init__(self, version: _Optional[_Union[ModelVersionRef, _Mapping]] = ..., store_address_json: _Optional[str] = ..., force_update: _Optional[bool] = ...) -> None: ...

class ModelPartiesReply(_message.Message):
    __slots__ = ("model_id", "model_version", "parties", "repository")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    REPOSITORY_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    model_version: str
    parties: _containers.RepeatedCompositeFieldContainer[PartyRef]
    repository: str
    def __init__(self, model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., parties: _Optional[_Iterable[_Union[PartyRef, _Mapping]]] = ..., repository: _Optional[str] = ...) -> None: ...

class ModelArchivePiece(_message.Message):
    __slots__ = ("file_name", "data")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    data: bytes
    def __init__(self, file_name: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class ModelImportSettings(_message.Message):
    __slots__ = ("version", "force_update", "file")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FORCE_UPDATE_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    version: ModelVersionRef
    force_update: bool
    file: str
    def __init__(self, version: _Optional[_Union[ModelVersionRef, _Mapping]] = ..., force_update: _Optional[bool] = ..., file: _Optional[str] = ...) -> None: ...

class ModelImportChunk(_message.Message):
    __slots__ = ("settings", "data")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    settings: ModelImportSettings
    data: bytes
    def __init__(self, settings: _Optional[_Union[ModelImportSettings, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class HostFeatureTable(_message.Message):
    __slots__ = ("party_id", "namespace", "table_name")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    namespace: str
    table_name: str
    def __init__(self, party_id: _Optional[str] = ..., namespace: _Optional[str] = ..., table_name: _Optional[str] = ...) -> None: ...

class JobSearch(_message.Message):
    __slots__ = ("status", "job_id_part", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_PART_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    job_id_part: str
    limit: int
    def __init__(self, status: _Optional[str] = ..., job_id_part: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class WatchJobsRequest(_message.Message):
    __slots__ = ("keepalive_seconds",)
    KEEPALIVE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    keepalive_seconds: int
    def __init__(self, keepalive_seconds: _Optional[int] = ...) -> None: ...

class JobChange(_message.Message):
    __slots__ = ("job", "keepalive")
    JOB_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_FIELD_NUMBER: _ClassVar[int]
    job: JobRow
    keepalive: bool
    def __init__(self, job: _Optional[_Union[JobRow, _Mapping]] = ..., keepalive: _Optional[bool] = ...) -> None: ...

class ComponentLogRequest(_message.Message):
    __slots__ = ("component", "offset")
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    component: ComponentRef
    offset: int
    def __init__(self, component: _Optional[_Union[ComponentRef, _Mapping]] = ..., offset: _Optional[int] = ...) -> None: ...

class ComponentLogReply(_message.Message):
    __slots__ = ("text", "offset")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    text: str
    offset: int
    def __init__(self, text: _Optional[str] = ..., offset: _Optional[int] = ...) -> None: ...
