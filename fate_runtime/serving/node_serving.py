"""Serving on one node: the services bound on its parties (the model versions' state), each host's feature table
(the one bind named, by default the table it trained on, in the node's store) and the hosts, wherever they are,
over gRPC."""

from __future__ import annotations

from typing import Callable

from fate_runtime.errors import NotFound
from fate_runtime.models import PartyModel
from fate_runtime.serving.feature_tables import feature_rows
from fate_runtime.serving.guest import GuestInference, HostCall
from fate_runtime.serving.host import HostBinding, HostScoring
from fate_runtime.serving.model_chain import GUEST, HOST
from fate_runtime.serving.scorer import ScorerCache
from fate_runtime.state.model_versions import ModelVersions
from storage import Store


class NodeServing:
    """The guest's inference and each local host party's scoring, over the node's bound model versions."""

    def __init__(self, versions: ModelVersions, store: Store, ask_host: HostCall,
                 is_local: Callable[[str], bool]) -> None:
        self._versions = versions
        self._store = store
        self._is_local = is_local
        self._scorers = ScorerCache()
        self.guest = GuestInference(self._guest_model, ask_host, "any guest party of this node", self._scorers)

    def _guest_model(self, service_id: str) -> PartyModel | None:
        guests = [binding for binding in self._versions.bindings(service_id) if binding.role == GUEST]
        return self._versions.party_model(guests[0].key) if guests else None

    def host(self, party_id: str) -> HostScoring | None:
        """The scoring of host `party_id` when this node serves it (None otherwise)."""
        if not self._is_local(party_id):
            return None
        return HostScoring(party_id, lambda service_id: self._host_binding(service_id, party_id), self._scorers)

    def _host_binding(self, service_id: str, party_id: str) -> HostBinding | None:
        try:
            binding = self._versions.binding(service_id, HOST, party_id)
        except NotFound:
            return None
        model = self._versions.party_model(binding.key)
        return HostBinding(model, feature_rows(model, self._store, binding.feature_table))
