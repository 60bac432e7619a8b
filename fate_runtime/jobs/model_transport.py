"""Model versions leaving a node and coming back: store and restore through a model repository, export and import
as archive files.

A request names a version by FATE's model id or by its party model id (`guest#9999#arbiter-...#model`, as FATE
1.4 sends), and may narrow it to one party with role and party_id (as FATE 1.6+ sends). Store and export take what
this node's parties have. Restore and import read and check every archive whole, and refuse to replace a version
a party has already unless asked to (force_update), before the node changes at all; a version put back starts
`trained` again (load and bind it anew).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from typing import BinaryIO, Iterable, Protocol

from fate_runtime import identifiers
from fate_runtime.errors import BadRequest, Conflict, NotFound
from fate_runtime.jobs.model_party import ModelParty, model_parties, split_party_model_id
from fate_runtime.models import PartyModel
from fate_runtime.models.archive import MAX_UNPACKED_BYTES, read_archive, write_archive
from fate_runtime.models.repositories import repository_for
from fate_runtime.models.repository import ModelNotStored
from fate_runtime.state.model_versions import ModelVersions, VersionKey

MAX_ARCHIVE_BYTES = MAX_UNPACKED_BYTES  # what an imported archive file may weigh
_SPOOL_IN_MEMORY = 8 << 20


class ReadablePaths(Protocol):
    """Which files on the node a request may make it read (fate_runtime.data.paths.PathPolicy)."""

    def readable_file(self, field: str, path: str) -> str: ...


@dataclasses.dataclass(frozen=True)
class VersionRequest:
    """A model version as a store, restore, export or import request names it (role and party_id optional)."""

    model_id: str
    model_version: str
    role: str = ""
    party_id: str = ""


@dataclasses.dataclass(frozen=True)
class _Named:
    """A checked VersionRequest: the model id, the version, and the party it names (None: every party)."""

    model_id: str
    model_version: str
    party: tuple[str, str] | None

    def key(self, role: str, party_id: str) -> VersionKey:
        return VersionKey(self.model_id, self.model_version, role, party_id)

    def __str__(self) -> str:
        return f"model version {self.model_version} of model {self.model_id}"


@dataclasses.dataclass(frozen=True)
class Moved:
    """The party model versions a store, restore or import copied, and the repository (store and restore)."""

    model_id: str
    model_version: str
    parties: list[tuple[str, str]]
    repository: str = ""


@dataclasses.dataclass(frozen=True)
class Exported:
    file_name: str
    data: bytes


def _named(request: VersionRequest) -> _Named:
    missing = [name for name in ("model_id", "model_version") if not getattr(request, name)]
    if missing:
        raise BadRequest("the following arguments are required: " + ", ".join(missing))
    version = identifiers.job_id(request.model_version, "model_version")
    model_id, party = split_party_model_id(request.model_id)
    if request.role or request.party_id:
        if not (request.role and request.party_id):
            raise BadRequest("role and party_id name a party together: give both or neither")
        given = (identifiers.role(request.role), identifiers.party_id(request.party_id))
        if party is not None and party != given:
            raise BadRequest(f"the party model id names {party[0]} {party[1]}, not {given[0]} {given[1]}")
        party = given
    if party is not None and party not in model_parties(model_id):
        raise BadRequest(f"{party[0]} {party[1]} is not a party of model {model_id}")
    return _Named(model_id, version, party)


class ModelTransport:
    def __init__(self, party: ModelParty, versions: ModelVersions, paths: ReadablePaths,
                 model_dir: str | os.PathLike[str]) -> None:
        """`model_dir`: the node's own model repository, where a store without store_address keeps versions."""
        self._party = party
        self._versions = versions
        self._paths = paths
        self._model_dir = model_dir

    def _served(self, named: _Named) -> list[VersionKey]:
        """The keys of the named party, or of every party of the model this node serves."""
        if named.party is not None:
            if not self._party.serves(named.party[1]):
                raise NotFound(f"this node does not serve {named.party[0]} {named.party[1]}")
            return [named.key(*named.party)]
        return [named.key(role, party) for role, party in sorted(model_parties(named.model_id))
                if self._party.serves(party)]

    def _present(self, named: _Named) -> list[VersionKey]:
        """The keys of the version's parties this node has (NotFound when none)."""
        keys = self._served(named)
        present = [key for key in keys if self._party.known(key)]
        if not present:
            raise keys[0].unknown() if named.party is not None else NotFound(f"no {named} on this node")
        return present

    def store(self, request: VersionRequest, store_address: dict[str, object] | None) -> Moved:
        """Copy the version of each named party here into the repository `store_address` names."""
        named = _named(request)
        models = [self._versions.party_model(key) for key in self._present(named)]
        with repository_for(store_address, self._model_dir) as repository:
            for model in models:
                repository.put(model)
            return _moved(named, models, str(repository))

    def restore(self, request: VersionRequest, store_address: dict[str, object] | None,
                force_update: bool = False) -> Moved:
        """Put back the version of each named party this node serves that the repository keeps."""
        named = _named(request)
        with repository_for(store_address, self._model_dir) as repository:
            keys = self._served(named)
            if named.party is None:
                keys = [key for key in keys if repository.exists(*_fields(key))]
                if not keys:
                    raise ModelNotStored(f"{repository} keeps {named} for none of the parties this node serves")
            models = [repository.get(*_fields(key)) for key in keys]
            self._put(models, force_update)
            return _moved(named, models, str(repository))

    def export(self, request: VersionRequest) -> Exported:
        """One party's version as an archive file (FATE's file name: `role#party_id#model_id_model_version.zip`)."""
        named = _named(request)
        present = self._present(named)
        if len(present) > 1:
            parties = ", ".join(f"{key.role} {key.party_id}" for key in present)
            raise BadRequest(f"{named} has several parties on this node ({parties}); name one with role and "
                             "party_id")
        key = present[0]
        return Exported(f"{key.role}#{key.party_id}#{key.model_id}_{key.model_version}.zip",
                        write_archive(self._versions.party_model(key)))

    def import_file(self, request: VersionRequest, path: str, force_update: bool = False) -> Moved:
        """Import the archive at `path` on the node (inside the directories requests may read)."""
        readable = self._paths.readable_file("file", path)
        try:
            archive = open(readable, "rb")
        except OSError as exc:
            raise BadRequest(f"file {path} cannot be read: {exc.strerror or exc}") from None
        with archive:
            return self._import(request, archive, force_update)

    def import_stream(self, request: VersionRequest, pieces: Iterable[bytes], force_update: bool = False) -> Moved:
        """Import the archive whose bytes arrive in `pieces` (at most MAX_ARCHIVE_BYTES)."""
        with tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY) as archive:
            size = 0
            for piece in pieces:
                size += len(piece)
                if size > MAX_ARCHIVE_BYTES:
                    raise BadRequest(f"the archive is larger than the {MAX_ARCHIVE_BYTES} bytes a model archive "
                                     "may be")
                archive.write(piece)
            archive.seek(0)
            return self._import(request, archive, force_update)  # type: ignore[arg-type]

    def _import(self, request: VersionRequest, archive: BinaryIO, force_update: bool) -> Moved:
        named = _named(request)
        model = read_archive(archive)
        held = (model.model_id, model.model_version)
        if held != (named.model_id, named.model_version) or named.party not in (None, (model.role, model.party_id)):
            raise BadRequest(f"the archive holds model version {model.model_version} of model {model.model_id} "
                             f"of {model.role} {model.party_id}, not the {named} the request names")
        if (model.role, model.party_id) not in model_parties(model.model_id):
            raise BadRequest(f"the archive's {model.role} {model.party_id} is not a party of model {model.model_id}")
        if not self._party.serves(model.party_id):
            raise NotFound(f"this node does not serve {model.role} {model.party_id}")
        self._put([model], force_update)
        return _moved(named, [model])

    def _put(self, models: list[PartyModel], force_update: bool) -> None:
        """Keep every model; none when one of them would replace a version here and force_update is not set."""
        if not force_update:
            for model in models:
                key = VersionKey(*_identity(model))
                if self._party.known(key):
                    raise Conflict(f"{key.role} {key.party_id} has model version {key.model_version} of model "
                                   f"{key.model_id} already; set force_update to replace it")
        for model in models:
            self._versions.put(model)


def _identity(model: PartyModel) -> tuple[str, str, str, str]:
    return model.model_id, model.model_version, model.role, model.party_id


def _fields(key: VersionKey) -> tuple[str, str, str, str]:
    return key.model_id, key.model_version, key.role, key.party_id


def _moved(named: _Named, models: list[PartyModel], repository: str = "") -> Moved:
    return Moved(named.model_id, named.model_version, [(model.role, model.party_id) for model in models],
                 repository)
