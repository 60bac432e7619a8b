from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UniqueValueMeta(_message.Message):
    __slots__ = ("eps",)
    EPS_FIELD_NUMBER: _ClassVar[int]
    eps: float
    def __init__(self, eps: _Optional[float] = ...) -> None: ...

class IVValueSelectionMeta(_message.Message):
    __slots__ = ("value_threshold", "local_only")
    VALUE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    value_threshold: float
    local_only: bool
    def __init__(self, value_threshold: _Optional[float] = ..., local_only: _Optional[bool] = ...) -> None: ...

class IVPercentileSelectionMeta(_message.Message):
    __slots__ = ("percentile_threshold", "local_only")
    PERCENTILE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    LOCAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    percentile_threshold: float
    local_only: bool
    def __init__(self, percentile_threshold: _Optional[float] = ..., local_only: _Optional[bool] = ...) -> None: ...

class VarianceOfCoeSelectionMeta(_message.Message):
    __slots__ = ("value_threshold",)
    VALUE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    value_threshold: float
    def __init__(self, value_threshold: _Optional[float] = ...) -> None: ...

class OutlierColsSelectionMeta(_message.Message):
    __slots__ = ("percentile", "upper_threshold")
    PERCENTILE_FIELD_NUMBER: _ClassVar[int]
    UPPER_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    percentile: float
    upper_threshold: float
    def __init__(self, percentile: _Optional[float] = ..., upper_threshold: _Optional[float] = ...) -> None: ...

class ManuallyFilterMeta(_message.Message):
    __slots__ = ("filter_out_names",)
    FILTER_OUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    filter_out_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, filter_out_names: _Optional[_Iterable[str]] = ...) -> None: ...

class FeatureSelectionMeta(_message.Message):
    __slots__ = ("filter_methods", "cols", "unique_meta", "iv_value_meta", "iv_percentile_meta", "variance_coe_meta", "outlier_meta", "manually_meta", "need_run")
    FILTER_METHODS_FIELD_NUMBER: _ClassVar[int]
    COLS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_META_FIELD_NUMBER: _ClassVar[int]
    IV_VALUE_META_FIELD_NUMBER: _ClassVar[int]
    IV_PERCENTILE_META_FIELD_NUMBER: _ClassVar[int]
    VARIANCE_COE_META_FIELD_NUMBER: _ClassVar[int]
    OUTLIER_META_FIELD_NUMBER: _ClassVar[int]
    MANUALLY_META_FIELD_NUMBER: _ClassVar[int]
    NEED_RUN_FIELD_NUMBER: _ClassVar[int]
    filter_methods: _containers.RepeatedScalarFieldContainer[str]
    cols: _containers.RepeatedScalarFieldContainer[str]
    unique_meta: UniqueValueMeta
    iv_value_meta: IVValueSelectionMeta
    iv_percentile_meta: IVPercentileSelectionMeta
    variance_coe_meta: VarianceOfCoeSelectionMeta
    outlier_meta: OutlierColsSelectionMeta
    manually_meta: ManuallyFilterMeta
    need_run: bool
    def __init__(self, filter_methods: _Optional[_Iterable[str]] = ..., cols: _Optional[_Iterable[str]] = ..., unique_meta: _Optional[_Union[UniqueValueMeta, _Mapping]] = ..., iv_value_meta: _Optional[_Union[IVValueSelectionMeta, _Mapping]] = ..., iv_percentile_meta: _Optional[_Union[IVPercentileSelectionMeta, _Mapping]] = ..., variance_coe_meta: _Optional[_Union[VarianceOfCoeSelectionMeta, _Mapping]] = ..., outlier_meta: _Optional[_Union[OutlierColsSelectionMeta, _Mapping]] = ..., manually_meta: _Optional[_Union[ManuallyFilterMeta, _Mapping]] = ..., need_run: _Optional[bool] = ...) -> None: ...

class FeatureValue(_message.Message):
    __slots__ = ("feature_values",)
    class FeatureValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    FEATURE_VALUES_FIELD_NUMBER: _ClassVar[int]
    feature_values: _containers.ScalarMap[str, float]
    def __init__(self, feature_values: _Optional[_Mapping[str, float]] = ...) -> None: ...

class LeftCols(_message.Message):
    __slots__ = ("original_cols", "left_cols")
    class LeftColsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    ORIGINAL_COLS_FIELD_NUMBER: _ClassVar[int]
    LEFT_COLS_FIELD_NUMBER: _ClassVar[int]
    original_cols: _containers.RepeatedScalarFieldContainer[str]
    left_cols: _containers.ScalarMap[str, bool]
    def __init__(self, original_cols: _Optional[_Iterable[str]] = ..., left_cols: _Optional[_Mapping[str, bool]] = ...) -> None: ...

class FeatureSelectionFilterParam(_message.Message):
    __slots__ = ("feature_values", "host_feature_values", "left_cols", "host_left_cols", "filter_name")
    class FeatureValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    FEATURE_VALUES_FIELD_NUMBER: _ClassVar[int]
    HOST_FEATURE_VALUES_FIELD_NUMBER: _ClassVar[int]
    LEFT_COLS_FIELD_NUMBER: _ClassVar[int]
    HOST_LEFT_COLS_FIELD_NUMBER: _ClassVar[int]
    FILTER_NAME_FIELD_NUMBER: _ClassVar[int]
    feature_values: _containers.ScalarMap[str, float]
    host_feature_values: _containers.RepeatedCompositeFieldContainer[FeatureValue]
    left_cols: LeftCols
    host_left_cols: _containers.RepeatedCompositeFieldContainer[LeftCols]
    filter_name: str
    def __init__(self, feature_values: _Optional[_Mapping[str, float]] = ..., host_feature_values: _Optional[_Iterable[_Union[FeatureValue, _Mapping]]] = ..., left_cols: _Optional[_Union[LeftCols, _Mapping]] = ..., host_left_cols: _Optional[_Iterable[_Union[LeftCols, _Mapping]]] = ..., filter_name: _Optional[str] = ...) -> None: ...

class HostColNames(_message.Message):
    __slots__ = ("col_names",)
    COL_NAMES_FIELD_NUMBER: _ClassVar[int]
    col_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, col_names: _Optional[_Iterable[str]] = ...) -> None: ...

class FeatureSelectionParam(_message.Message):
    __slots__ = ("results", "final_left_cols", "col_names", "host_col_names", "header")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    FINAL_LEFT_COLS_FIELD_NUMBER: _ClassVar[int]
    COL_NAMES_FIELD_NUMBER: _ClassVar[int]
    HOST_COL_NAMES_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[FeatureSelectionFilterParam]
    final_left_cols: LeftCols
    col_names: _containers.RepeatedScalarFieldContainer[str]
    host_col_names: _containers.RepeatedCompositeFieldContainer[HostColNames]
    header: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, results: _Optional[_Iterable[_Union[FeatureSelectionFilterParam, _Mapping]]] = ..., final_left_cols: _Optional[_Union[LeftCols, _Mapping]] = ..., col_names: _Optional[_Iterable[str]] = ..., host_col_names: _Optional[_Iterable[_Union[HostColNames, _Mapping]]] = ..., header: _Optional[_Iterable[str]] = ...) -> None: ...
