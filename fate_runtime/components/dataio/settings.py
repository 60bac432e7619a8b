"""DataIO's settings: from its parameters when it trains, from its model (DataIOMeta + DataIOParam) when it replays.

The model keeps what a predict job needs to read its data as training did: the formats, the label, the header
(the columns in their order), and per column the values that replace missing cells and outliers, with the
share of cells they replaced in training.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from fate_runtime.components.context import Buffers
from fate_runtime.components.dataio.cells import DEFAULT_MISSING
from protos import dataio_model_pb2 as pb

MODEL_META, MODEL_PARAM = "DataIOMeta", "DataIOParam"


@dataclasses.dataclass(frozen=True)
class Replacement:
    """How cells matching `tokens` are replaced: `method` (None or "designated": the `given` value or values;
    "min", "max", "mean": the column's statistic in training); `values` and `ratios` per column once fitted."""

    method: str | None
    tokens: tuple[str, ...]
    given: float | list[float] | None = None
    values: tuple[float, ...] = ()
    ratios: tuple[float, ...] = ()

    @property
    def fitted(self) -> bool:
        return bool(self.values)


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything DataIO reads a table with; `header` and `sid_name` are what it learnt from the training table."""

    input_format: str
    delimitor: str
    data_type: str
    exclusive_data_type: Mapping[str, str]
    tag_with_value: bool
    tag_value_delimitor: str
    with_label: bool
    label_name: str
    label_type: str
    output_format: str
    missing: Replacement | None
    outlier: Replacement | None
    missing_tokens: tuple[str, ...]
    need_run: bool = True
    header: tuple[str, ...] = ()
    sid_name: str = ""

    def column_type(self, column: str) -> str:
        return self.exclusive_data_type.get(column, self.data_type)


def _tokens(given: list[Any] | None) -> tuple[str, ...]:
    return tuple(str(token) for token in given) if given is not None else DEFAULT_MISSING


def from_params(params: dict[str, Any]) -> Settings:
    """The settings a training task reads its table with."""
    if not params["delimitor"]:
        raise ValueError("DataIO's delimitor must not be empty")
    missing_tokens = _tokens(params["missing_impute"])
    missing = Replacement(params["missing_fill_method"], missing_tokens, params["default_value"]) \
        if params["missing_fill"] else None
    outlier = Replacement(params["outlier_replace_method"], _tokens(params["outlier_impute"]),
                          params["outlier_replace_value"]) if params["outlier_replace"] else None
    return Settings(params["input_format"], params["delimitor"], params["data_type"],
                    dict(params["exclusive_data_type"] or {}), params["tag_with_value"],
                    params["tag_value_delimitor"], params["with_label"], params["label_name"], params["label_type"],
                    params["output_format"], missing, outlier, missing_tokens, params["need_run"])


def to_model(settings: Settings) -> dict[str, Any]:
    """The model messages, as FATE names them."""
    meta = pb.DataIOMeta(input_format=settings.input_format, delimitor=settings.delimitor,
                         data_type=settings.data_type, tag_with_value=settings.tag_with_value,
                         tag_value_delimitor=settings.tag_value_delimitor, with_label=settings.with_label,
                         label_name=settings.label_name, label_type=settings.label_type,
                         output_format=settings.output_format, need_run=settings.need_run,
                         exclusive_data_type=dict(settings.exclusive_data_type))
    param = pb.DataIOParam(header=list(settings.header), sid_name=settings.sid_name,
                           label_name=settings.label_name if settings.with_label else "")
    meta.imputer_meta.missing_value.extend(settings.missing_tokens)
    if settings.missing is not None:
        meta.imputer_meta.is_imputer = True
        meta.imputer_meta.strategy = settings.missing.method or ""
        param.imputer_param.missing_replace_value.update(_by_column(settings.header, settings.missing.values, str))
        param.imputer_param.missing_value_ratio.update(_by_column(settings.header, settings.missing.ratios, float))
    if settings.outlier is not None:
        meta.outlier_meta.is_outlier = True
        meta.outlier_meta.strategy = settings.outlier.method or ""
        meta.outlier_meta.outlier_value.extend(settings.outlier.tokens)
        param.outlier_param.outlier_replace_value.update(_by_column(settings.header, settings.outlier.values, str))
        param.outlier_param.outlier_value_ratio.update(_by_column(settings.header, settings.outlier.ratios, float))
    return {MODEL_META: meta, MODEL_PARAM: param}


def _by_column(header: tuple[str, ...], values: tuple[float, ...], kind: type) -> dict[str, Any]:
    return {column: kind(value) for column, value in zip(header, values)}


def find_model(models: Mapping[str, Buffers]) -> tuple[pb.DataIOMeta, pb.DataIOParam] | None:
    """The DataIO model among the input models (FATE's Meta/Param pair), if there is one."""
    for buffers in models.values():
        if MODEL_META in buffers and MODEL_PARAM in buffers:
            return pb.DataIOMeta.FromString(buffers[MODEL_META]), pb.DataIOParam.FromString(buffers[MODEL_PARAM])
    return None


def from_model(meta: pb.DataIOMeta, param: pb.DataIOParam) -> Settings:
    """The settings training used, replayed from its model."""
    header = tuple(param.header)

    def replacement(on: bool, strategy: str, tokens: Any, values: Mapping[str, str],
                    ratios: Mapping[str, float]) -> Replacement | None:
        if not on:
            return None
        absent = [column for column in header if column not in values]
        if absent:
            raise ValueError(f"DataIO's model has no replacement value for column {absent[0]}")
        return Replacement(strategy or None, tuple(tokens), None, tuple(float(values[column]) for column in header),
                           tuple(ratios.get(column, 0.0) for column in header))

    imputer, outlier = meta.imputer_meta, meta.outlier_meta
    return Settings(meta.input_format, meta.delimitor, meta.data_type, dict(meta.exclusive_data_type),
                    meta.tag_with_value, meta.tag_value_delimitor, meta.with_label, meta.label_name, meta.label_type,
                    meta.output_format,
                    replacement(imputer.is_imputer, imputer.strategy, imputer.missing_value,
                                param.imputer_param.missing_replace_value, param.imputer_param.missing_value_ratio),
                    replacement(outlier.is_outlier, outlier.strategy, outlier.outlier_value,
                                param.outlier_param.outlier_replace_value, param.outlier_param.outlier_value_ratio),
                    tuple(imputer.missing_value) or DEFAULT_MISSING, meta.need_run, header, param.sid_name)
