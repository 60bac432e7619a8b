from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TransformMeta(_message.Message):
    __slots__ = ("transform_cols", "transform_type")
    TRANSFORM_COLS_FIELD_NUMBER: _ClassVar[int]
    TRANSFORM_TYPE_FIELD_NUMBER: _ClassVar[int]
    transform_cols: _containers.RepeatedScalarFieldContainer[int]
    transform_type: str
    def __init__(self, transform_cols: _Optional[_Iterable[int]] = ..., transform_type: _Optional[str] = ...) -> None: ...

class FeatureBinningMeta(_message.Message):
    __slots__ = ("need_run", "method", "compress_thres", "head_size", "error", "bin_num", "cols", "adjustment_factor", "local_only", "transform_param")
    NEED_RUN_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    COMPRESS_THRES_FIELD_NUMBER: _ClassVar[int]
    HEAD_SIZE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    BIN_NUM_FIELD_NUMBER: _ClassVar[int]
    COLS_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENT_FACTOR_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    TRANSFORM_PARAM_FIELD_NUMBER: _ClassVar[int]
    need_run: bool
    method: str
    compress_thres: int
    head_size: int
    error: float
    bin_num: int
    cols: _containers.RepeatedScalarFieldContainer[str]
    adjustment_factor: float
    local_only: bool
    transform_param: TransformMeta
    def __init__(self, need_run: _Optional[bool] = ..., method: _Optional[str] = ..., compress_thres: _Optional[int] = ..., head_size: _Optional[int] = ..., error: _Optional[float] = ..., bin_num: _Optional[int] = ..., cols: _Optional[_Iterable[str]] = ..., adjustment_factor: _Optional[float] = ..., local_only: _Optional[bool] = ..., transform_param: _Optional[_Union[TransformMeta, _Mapping]] = ...) -> None: ...

class IVParam(_message.Message):
    __slots__ = ("woe_array", "iv_array", "event_count_array", "non_event_count_array", "event_rate_array", "non_event_rate_array", "split_points", "iv", "is_woe_monotonic", "bin_nums")
    WOE_ARRAY_FIELD_NUMBER: _ClassVar[int]
    IV_ARRAY_FIELD_NUMBER: _ClassVar[int]
    EVENT_COUNT_ARRAY_FIELD_NUMBER: _ClassVar[int]
    NON_EVENT_COUNT_ARRAY_FIELD_NUMBER: _ClassVar[int]
    EVENT_RATE_ARRAY_FIELD_NUMBER: _ClassVar[int]
    NON_EVENT_RATE_ARRAY_FIELD_NUMBER: _ClassVar[int]
    SPLIT_POINTS_FIELD_NUMBER: _ClassVar[int]
    IV_FIELD_NUMBER: _ClassVar[int]
    IS_WOE_MONOTONIC_FIELD_NUMBER: _ClassVar[int]
    BIN_NUMS_FIELD_NUMBER: _ClassVar[int]
    woe_array: _containers.RepeatedScalarFieldContainer[float]
    iv_array: _containers.RepeatedScalarFieldContainer[float]
    event_count_array: _containers.RepeatedScalarFieldContainer[int]
    non_event_count_array: _containers.RepeatedScalarFieldContainer[int]
    event_rate_array: _containers.RepeatedScalarFieldContainer[float]
    non_event_rate_array: _containers.RepeatedScalarFieldContainer[float]
    split_points: _containers.RepeatedScalarFieldContainer[float]
    iv: float
    is_woe_monotonic: bool
    bin_nums: int
    def __init__(self, woe_array: _Optional[_Iterable[float]] = ..., iv_array: _Optional[_Iterable[float]] = ..., event_count_array: _Optional[_Iterable[int]] = ..., non_event_count_array: _Optional[_Iterable[int]] = ..., event_rate_array: _Optional[_Iterable[float]] = ..., non_event_rate_array: _Optional[_Iterable[float]] = ..., split_points: _Optional[_Iterable[float]] = ..., iv: _Optional[float] = ..., is_woe_monotonic: _Optional[bool] = ..., bin_nums: _Optional[int] = ...) -> None: ...

class FeatureBinningResult(_message.Message):
    __slots__ = ("binning_result", "role", "party_id")
    class BinningResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: IVParam
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[IVParam, _Mapping]] = ...) -> None: ...
    BINNING_RESULT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    binning_result: _containers.MessageMap[str, IVParam]
    role: str
    party_id: str
    def __init__(self, binning_result: _Optional[_Mapping[str, IVParam]] = ..., role: _Optional[str] = ..., party_id: _Optional[str] = ...) -> None: ...

class FeatureBinningParam(_message.Message):
    __slots__ = ("binning_result", "host_results", "header")
    BINNING_RESULT_FIELD_NUMBER: _ClassVar[int]
    HOST_RESULTS_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    binning_result: FeatureBinningResult
    host_results: _containers.RepeatedCompositeFieldContainer[FeatureBinningResult]
    header: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, binning_result: _Optional[_Union[FeatureBinningResult, _Mapping]] = ..., host_results: _Optional[_Iterable[_Union[FeatureBinningResult, _Mapping]]] = ..., header: _Optional[_Iterable[str]] = ...) -> None: ...
