from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RemoteFeatures(_message.Message):
    __slots__ = ("values",)
    class ValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.ScalarMap[str, str]
    def __init__(self, values: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PartialScoresRequest(_message.Message):
    __slots__ = ("service_id", "model_id", "model_version", "guest_party_id", "caseid", "cases", "host_party_id")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    GUEST_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    CASEID_FIELD_NUMBER: _ClassVar[int]
    CASES_FIELD_NUMBER: _ClassVar[int]
    HOST_PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    model_id: str
    model_version: str
    guest_party_id: str
    caseid: str
    cases: _containers.RepeatedCompositeFieldContainer[RemoteFeatures]
    host_party_id: str
    def __init__(self, service_id: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., guest_party_id: _Optional[str] = ..., caseid: _Optional[str] = ..., cases: _Optional[_Iterable[_Union[RemoteFeatures, _Mapping]]] = ..., host_party_id: _Optional[str] = ...) -> None: ...

class CaseScore(_message.Message):
    __slots__ = ("retcode", "retmsg", "score")
    RETCODE_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    retcode: int
    retmsg: str
    score: float
    def __init__(self, retcode: _Optional[int] = ..., retmsg: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class PartialScoresReply(_message.Message):
    __slots__ = ("retcode", "retmsg", "scores")
    RETCODE_FIELD_NUMBER: _ClassVar[int]
    RETMSG_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    retcode: int
    retmsg: str
    scores: _containers.RepeatedCompositeFieldContainer[CaseScore]
    def __init__(self, retcode: _Optional[int] = ..., retmsg: _Optional[str] = ..., scores: _Optional[_Iterable[_Union[CaseScore, _Mapping]]] = ...) -> None: ...
