"""Scorers are built once per model version and content: a version whose buffers an import replaced scores anew."""

from __future__ import annotations

import dataclasses

from fate_runtime.models import PartyModel
from fate_runtime.serving.scorer import ScorerCache, party_scorer
from fate_runtime.state.models import ModelBuffer
from seed_models import SeedModels


def _with_buffer_changed(model: PartyModel) -> PartyModel:
    """The same version with one buffer's bytes changed (as a re-import of other buffers would leave it): an unknown
    field 1000 appended, which parsers keep and ignore."""
    component, aliases = next(iter(sorted(model.components.items())))
    alias, buffers = next(iter(sorted(aliases.items())))
    first = buffers[0]
    changed = ModelBuffer(first.name, first.type, first.data + b"\xc0\x3e\x00")
    components = {**model.components, component: {**aliases, alias: [changed, *buffers[1:]]}}
    return dataclasses.replace(model, components=components)


def test_a_version_is_built_once_and_anew_when_its_buffers_change(seed: SeedModels) -> None:
    built: list[PartyModel] = []

    def counting(model: PartyModel):  # type: ignore[no-untyped-def]
        built.append(model)
        return party_scorer(model)

    cache = ScorerCache(build=counting)
    first = cache.scorer(seed.guest)
    assert cache.scorer(seed.guest) is first and len(built) == 1
    cache.scorer(_with_buffer_changed(seed.guest))
    assert len(built) == 2
