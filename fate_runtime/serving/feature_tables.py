"""A host's feature table for online serving, in its node's store: the one bind named, else the one it trained on."""

from __future__ import annotations

from fate_runtime.models import PartyModel
from fate_runtime.serving.errors import MODEL_INIT_ERROR, ServingError
from fate_runtime.serving.features import FeatureRows
from fate_runtime.serving.model_chain import training_table
from fate_runtime.serving.scorer import party_scorer
from fate_runtime.state.model_versions import FeatureTable
from storage import Store, TableNotFound


def _located(model: PartyModel, table: FeatureTable | None) -> FeatureTable:
    return table if table is not None else FeatureTable(*training_table(model))


def feature_rows(model: PartyModel, store: Store, table: FeatureTable | None) -> FeatureRows:
    """The rows host `model` finds its features in: `table`, None: the table it trained on (ServingError when the
    table does not exist)."""
    located = _located(model, table)
    try:
        return store.table(located.namespace, located.name)
    except TableNotFound:
        raise ServingError(MODEL_INIT_ERROR, f"the feature table {located.namespace}.{located.name} of host "
                                             f"{model.party_id} does not exist") from None


def check_feature_table(model: PartyModel, store: Store, table: FeatureTable) -> None:
    """ServingError unless `table` exists and has every column host `model` reads (what bind checks)."""
    rows = feature_rows(model, store, table)
    party_scorer(model).reader.table_layout(rows, f"the feature table {table.namespace}.{table.name} of host "
                                                  f"{model.party_id}")
