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
    __slots__ = ("job_id", "roles", "variables")
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
    job_id: str
    roles: _containers.MessageMap[str, PartyIds]
    variables: _containers.RepeatedCompositeFieldContainer[VariableDeclaration]
    def __init__(self, job_id: _Optional[str] = ..., roles: _Optional[_Mapping[str, PartyIds]] = ..., variables: _Optional[_Iterable[_Union[VariableDeclaration, _Mapping]]] = ...) -> None: ...

class RegisterJobReply(_message.Message):
    __slots__ = ("local_parties",)
    LOCAL_PARTIES_FIELD_NUMBER: _ClassVar[int]
    local_parties: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, local_parties: _Optional[_Iterable[str]] = ...) -> None: ...
