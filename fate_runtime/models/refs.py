"""The four identifiers that name one party's model version, checked before they meet a path, a key or an archive."""

from __future__ import annotations

import dataclasses

from fate_runtime import identifiers
from fate_runtime.models import PartyModel


@dataclasses.dataclass(frozen=True)
class ModelRef:
    model_id: str
    model_version: str
    role: str
    party_id: str

    @classmethod
    def checked(cls, model_id: object, model_version: object, role: object, party_id: object) -> ModelRef:
        """A reference from untrusted values; BadRequest names the first identifier that is not well-formed."""
        return cls(identifiers.model_id(model_id), identifiers.job_id(model_version, "model_version"),
                   identifiers.role(role), identifiers.party_id(party_id))

    @classmethod
    def of(cls, model: PartyModel) -> ModelRef:
        return cls.checked(model.model_id, model.model_version, model.role, model.party_id)

    def __str__(self) -> str:
        return f"model {self.model_id} version {self.model_version} of {self.role} {self.party_id}"
