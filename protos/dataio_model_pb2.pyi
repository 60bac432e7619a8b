from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImputerMeta(_message.Message):
    __slots__ = ("is_imputer", "strategy", "missing_value")
    IS_IMPUTER_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    MISSING_VALUE_FIELD_NUMBER: _ClassVar[int]
    is_imputer: bool
    strategy: str
    missing_value: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, is_imputer: _Optional[bool] = ..., strategy: _Optional[str] = ..., missing_value: _Optional[_Iterable[str]] = ...) -> None: ...

class OutlierMeta(_message.Message):
    __slots__ = ("is_outlier", "strategy", "outlier_value")
    IS_OUTLIER_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_VALUE_FIELD_NUMBER: _ClassVar[int]
    is_outlier: bool
    strategy: str
    outlier_value: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, is_outlier: _Optional[bool] = ..., strategy: _Optional[str] = ..., outlier_value: _Optional[_Iterable[str]] = ...) -> None: ...

class DataIOMeta(_message.Message):
    __slots__ = ("input_format", "delimitor", "data_type", "tag_with_value", "tag_value_delimitor", "with_label", "label_name", "label_type", "output_format", "imputer_meta", "outlier_meta", "need_run", "exclusive_data_type")
    class ExclusiveDataTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    DELIMITOR_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    TAG_WITH_VALUE_FIELD_NUMBER: _ClassVar[int]
    TAG_VALUE_DELIMITOR_FIELD_NUMBER: _ClassVar[int]
    WITH_LABEL_FIELD_NUMBER: _ClassVar[int]
    LABEL_NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    IMPUTER_META_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_META_FIELD_NUMBER: _ClassVar[int]
    NEED_RUN_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIVE_DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    input_format: str
    delimitor: str
    data_type: str
    tag_with_value: bool
    tag_value_delimitor: str
    with_label: bool
    label_name: str
    label_type: str
    output_format: str
    imputer_meta: ImputerMeta
    outlier_meta: OutlierMeta
    need_run: bool
    exclusive_data_type: _containers.ScalarMap[str, str]
    def __init__(self, input_format: _Optional[str] = ..., delimitor: _Optional[str] = ..., data_type: _Optional[str] = ..., tag_with_value: _Optional[bool] = ..., tag_value_delimitor: _Optional[str] = ..., with_label: _Optional[bool] = ..., label_name: _Optional[str] = ..., label_type: _Optional[str] = ..., output_format: _Optional[str] = ..., imputer_meta: _Optional[_Union[ImputerMeta, _Mapping]] = ..., outlier_meta: _Optional[_Union[OutlierMeta, _Mapping]] = ..., need_run: _Optional[bool] = ..., exclusive_data_type: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ImputerParam(_message.Message):
    __slots__ = ("missing_replace_value", "missing_value_ratio")
    class MissingReplaceValueEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MissingValueRatioEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    MISSING_REPLACE_VALUE_FIELD_NUMBER: _ClassVar[int]
    MISSING_VALUE_RATIO_FIELD_NUMBER: _ClassVar[int]
    missing_replace_value: _containers.ScalarMap[str, str]
    missing_value_ratio: _containers.ScalarMap[str, float]
    def __init__(self, missing_replace_value: _Optional[_Mapping[str, str]] = ..., missing_value_ratio: _Optional[_Mapping[str, float]] = ...) -> None: ...

class OutlierParam(_message.Message):
    __slots__ = ("outlier_replace_value", "outlier_value_ratio")
    class OutlierReplaceValueEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class OutlierValueRatioEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    OUTLIER_REPLACE_VALUE_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_VALUE_RATIO_FIELD_NUMBER: _ClassVar[int]
    outlier_replace_value: _containers.ScalarMap[str, str]
    outlier_value_ratio: _containers.ScalarMap[str, float]
    def __init__(self, outlier_replace_value: _Optional[_Mapping[str, str]] = ..., outlier_value_ratio: _Optional[_Mapping[str, float]] = ...) -> None: ...

class DataIOParam(_message.Message):
    __slots__ = ("header", "sid_name", "label_name", "imputer_param", "outlier_param")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SID_NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_NAME_FIELD_NUMBER: _ClassVar[int]
    IMPUTER_PARAM_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_PARAM_FIELD_NUMBER: _ClassVar[int]
    header: _containers.RepeatedScalarFieldContainer[str]
    sid_name: str
    label_name: str
    imputer_param: ImputerParam
    outlier_param: OutlierParam
    def __init__(self, header: _Optional[_Iterable[str]] = ..., sid_name: _Optional[str] = ..., label_name: _Optional[str] = ..., imputer_param: _Optional[_Union[ImputerParam, _Mapping]] = ..., outlier_param: _Optional[_Union[OutlierParam, _Mapping]] = ...) -> None: ...
