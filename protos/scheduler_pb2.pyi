from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PartyIds(_message.Message):
    __slots__ = ("party_ids",)
    PARTY_IDS_FIELD_NUMBER: _ClassVar[int]
    party_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, party_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class VariableDeclaration(_message.Message):
    __slots__ = ("name", "src_role", "dst_roles")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SRC_ROLE_FIELD_NUMBER: _ClassVar[int]
    DST_ROLES_FIELD_NUMBER: _ClassVar[int]
    name: str
    src_role: str
    dst_roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., src_role: _Optional[str] = ..., dst_roles: _Optional[_Iterable[str]] = ...) -> None: ...

class JobRegistration(_message.Message):
    __slots__ = ("job_id", "roles", "variables", "token")
    class RolesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: PartyIds
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[PartyIds, _Mapping]] = ...) -> None: ...
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    roles: _containers.MessageMap[str, PartyIds]
    variables: _containers.RepeatedCompositeFieldContainer[VariableDeclaration]
    token: str
    def __init__(self, job_id: _Optional[str] = ..., roles: _Optional[_Mapping[str, PartyIds]] = ..., variables: _Optional[_Iterable[_Union[VariableDeclaration, _Mapping]]] = ..., token: _Optional[str] = ...) -> None: ...

class RegisterJobReply(_message.Message):
    __slots__ = ("local_parties",)
    LOCAL_PARTIES_FIELD_NUMBER: _ClassVar[int]
    local_parties: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, local_parties: _Optional[_Iterable[str]] = ...) -> None: ...

class JobSpec(_message.Message):
    __slots__ = ("job_id", "dsl_json", "conf_json", "token")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DSL_JSON_FIELD_NUMBER: _ClassVar[int]
    CONF_JSON_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    dsl_json: str
    conf_json: str
    token: str
    def __init__(self, job_id: _Optional[str] = ..., dsl_json: _Optional[str] = ..., conf_json: _Optional[str] = ..., token: _Optional[str] = ...) -> None: ...

class CheckReply(_message.Message):
    __slots__ = ("ignored",)
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    ignored: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ignored: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateReply(_message.Message):
    __slots__ = ("local_parties",)
    LOCAL_PARTIES_FIELD_NUMBER: _ClassVar[int]
    local_parties: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, local_parties: _Optional[_Iterable[str]] = ...) -> None: ...

class TaskRef(_message.Message):
    __slots__ = ("job_id", "component", "role", "party_id")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    component: str
    role: str
    party_id: str
    def __init__(self, job_id: _Optional[str] = ..., component: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class TaskEvent(_message.Message):
    __slots__ = ("task", "status", "retmsg", "time_ms")
    TASK_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    task: TaskRef
    status: str
    retmsg: str
    time_ms: int
    def __init__(self, task: _Optional[_Union[TaskRef, _Mapping]] = ..., status: _Optional[str] = ..., retmsg: _Optional[str] = ..., time_ms: _Optional[int] = ...) -> None: ...

class WatchRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class JobStatusUpdate(_message.Message):
    __slots__ = ("job_id", "status", "progress", "current_steps", "retmsg")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STEPS_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    status: str
    progress: int
    current_steps: _containers.RepeatedScalarFieldContainer[str]
    retmsg: str
    def __init__(self, job_id: _Optional[str] = ..., status: _Optional[str] = ..., progress: _Optional[int] = ..., current_steps: _Optional[_Iterable[str]] = ..., retmsg: _Optional[str] = ...) -> None: ...

class StopRequest(_message.Message):
    __slots__ = ("job_id", "status", "retmsg")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    status: str
    retmsg: str
    def __init__(self, job_id: _Optional[str] = ..., status: _Optional[str] = ..., retmsg: _Optional[str] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ModelStep(_message.Message):
    __slots__ = ("model_id", "model_version", "role", "party_id", "initiator_role", "initiator_party_id", "service_id", "check_only", "feature_table")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CHECK_ONLY_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TABLE_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    model_version: str
    role: str
    party_id: str
    initiator_role: str
    initiator_party_id: str
    service_id: str
    check_only: bool
    feature_table: FeatureTable
    def __init__(self, model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ..., initiator_role: _Optional[str] = ..., initiator_party_id: _Optional[str] = ..., service_id: _Optional[str] = ..., check_only: _Optional[bool] = ..., feature_table: _Optional[_Union[FeatureTable, _Mapping]] = ...) -> None: ...

class FeatureTable(_message.Message):
    __slots__ = ("namespace", "table_name")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    table_name: str
    def __init__(self, namespace: _Optional[str] = ..., table_name: _Optional[str] = ...) -> None: ...
