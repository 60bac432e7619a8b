from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Pipeline(_message.Message):
    __slots__ = ("inference_dsl", "train_dsl", "train_runtime_conf")
    INFERENCE_DSL_FIELD_NUMBER: _ClassVar[int]
    TRAIN_DSL_FIELD_NUMBER: _ClassVar[int]
    TRAIN_RUNTIME_CONF_FIELD_NUMBER: _ClassVar[int]
    inference_dsl: bytes
    train_dsl: bytes
    train_runtime_conf: bytes
    def __init__(self, inference_dsl: _Optional[bytes] = ..., train_dsl: _Optional[bytes] = ..., train_runtime_conf: _Optional[bytes] = ...) -> None: ...
