"""A party model version as one file: a zip holding a manifest and one entry per buffer, every part checked on reading.

The manifest (`manifest.json`) names the model version, holds its pipeline and lists each component's buffers by
model alias: buffer name, protobuf type, the entry holding its bytes, their size and SHA-256. It also carries the
SHA-256 of its own content, so that an edited pipeline or identifier is refused like an edited buffer. These
checksums catch damage and hand edits; they are no signature (whoever can write the file can recompute them).

Writing is deterministic: fixed timestamps and permissions, entries in a fixed order, so one model gives one
byte string.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import zipfile
import zlib
from typing import Any, BinaryIO

from fate_runtime import identifiers
from fate_runtime.identifiers import shown
from fate_runtime.errors import BadRequest
from fate_runtime.models import ComponentBuffers, PartyModel, Pipeline
from fate_runtime.models.refs import ModelRef
from fate_runtime.state.models import ModelBuffer

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # what an archive's entries may add up to, unpacked (zip bombs)
MAX_ENTRIES = 10_000

_CHECKSUM = "manifest_sha256"  # the manifest's own checksum, over every other field
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_ENTRY = re.compile(r"[A-Za-z0-9_\-.]{1,100}")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-.]{0,199}")  # model aliases and buffer names
_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,20}")  # a protobuf full name
_PIPELINE_PARTS = ("train_dsl", "inference_dsl", "runtime_conf")


class ArchiveError(BadRequest, ValueError):
    """A model archive that cannot be written or read, with one sentence saying why."""


@dataclasses.dataclass(frozen=True)
class _Listed:
    """One buffer as the manifest lists it."""

    component: str
    alias: str
    name: str
    type: str
    entry: str
    size: int
    sha256: str

    def __str__(self) -> str:
        return f"buffer {self.name} of component {self.component} (model alias {self.alias})"


def write_archive(model: PartyModel) -> bytes:
    """The archive of `model`; the same model always gives the same bytes."""
    _identity(model.model_id, model.model_version, model.role, model.party_id, "the model's")
    entries: list[tuple[str, bytes]] = []
    listed: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for component in sorted(model.components):
        aliases = listed.setdefault(component, {})
        for alias in sorted(model.components[component]):
            records = aliases.setdefault(alias, [])
            for buffer in model.components[component][alias]:
                entry = f"buffer-{len(entries) + 1:05d}.pb"
                entries.append((entry, buffer.data))
                records.append({"name": buffer.name, "type": buffer.type, "entry": entry,
                                "size": len(buffer.data), "sha256": _sha256(buffer.data)})
    manifest = {"format_version": FORMAT_VERSION, "model_id": model.model_id, "model_version": model.model_version,
                "role": model.role, "party_id": model.party_id, "components": listed,
                "pipeline": {part: getattr(model.pipeline, part) for part in _PIPELINE_PARTS}}
    _listed_buffers(manifest, "the model's")  # the names and types the reader will check
    manifest[_CHECKSUM] = _sha256(_canonical(manifest))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in [(MANIFEST, json.dumps(manifest, sort_keys=True, indent=1).encode()), *entries]:
            archive.writestr(_fixed_info(name), data)
    return out.getvalue()


def read_archive(source: bytes | BinaryIO, max_bytes: int | None = None) -> PartyModel:
    """The model an archive holds; ArchiveError says what is wrong with any archive that is not exactly as written.

    `source` is the archive's bytes or a seekable binary file; its entries may unpack to at most `max_bytes`
    (MAX_UNPACKED_BYTES by default).
    """
    with _opened(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        entries = _entries(archive, MAX_UNPACKED_BYTES if max_bytes is None else max_bytes)
        manifest = _manifest(archive, entries)
        ref = _identity(manifest.get("model_id"), manifest.get("model_version"), manifest.get("role"),
                        manifest.get("party_id"), "the archive's")
        pipeline = _pipeline(manifest.get("pipeline"))
        listed = _listed_buffers(manifest, "the archive's")
        _same_entries(set(entries) - {MANIFEST}, listed)
        components: ComponentBuffers = {}
        for component, aliases in manifest["components"].items():
            components[component] = {alias: [] for alias in aliases}
        for record in listed:
            components[record.component][record.alias].append(
                ModelBuffer(record.name, record.type, _checked_buffer(archive, entries[record.entry], record)))
    return PartyModel(ref.model_id, ref.model_version, ref.role, ref.party_id, pipeline, components)


def _fixed_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, whatever the writing machine
    info.external_attr = 0o644 << 16
    return info


def _opened(stream: BinaryIO) -> zipfile.ZipFile:
    start = stream.read(2)
    stream.seek(0)
    if not start:
        raise ArchiveError("the archive is empty")
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        if start == b"PK":
            raise ArchiveError("the archive is truncated or damaged: its zip directory cannot be read") from None
        raise ArchiveError("the file is not a model archive (it is not a zip file)") from None


def _entries(archive: zipfile.ZipFile, max_bytes: int) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by name, refusing names that are not plain file names and archives too big to unpack."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(f"the archive holds {len(infos)} entries, more than the {MAX_ENTRIES} a model archive "
                           "may hold")
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        for name in (info.orig_filename, info.filename):
            if not _ENTRY.fullmatch(name) or ".." in name:
                raise ArchiveError(f"the archive holds an entry named {name[:60]!r}, which is not a plain file name "
                                   "(path separators and '..' are refused)")
        if info.filename in entries:
            raise ArchiveError(f"the archive holds entry {info.filename} twice")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"entry {info.filename} of the archive is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveError(f"entry {info.filename} of the archive is compressed with a method this node "
                               "does not unpack (stored or deflated only)")
        entries[info.filename] = info
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_bytes:
        raise ArchiveError(f"the archive unpacks to {unpacked} bytes, more than the {max_bytes} a model archive "
                           "may hold")
    return entries


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            return member.read()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise ArchiveError(f"entry {info.filename} of the archive is damaged: it does not unpack to the bytes "
                           "its zip header records") from None


def _manifest(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    """The manifest, once its format version and its own checksum are right."""
    if MANIFEST not in entries:
        raise ArchiveError(f"the archive has no {MANIFEST}")
    try:
        manifest = json.loads(_read(archive, entries[MANIFEST]).decode("utf-8"))
    except (ValueError, RecursionError):
        raise ArchiveError("the archive's manifest is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise ArchiveError("the archive's manifest is not a JSON object")
    version = manifest.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise ArchiveError(f"the archive's format version {shown(version)} is not one this node reads "
                           f"(it reads version {FORMAT_VERSION})")
    claimed = manifest.pop(_CHECKSUM, None)
    if claimed != _sha256(_canonical(manifest)):
        raise ArchiveError("the archive's manifest does not match its checksum: it was changed after the archive "
                           "was written")
    return manifest


def _identity(model_id: object, model_version: object, role: object, party_id: object, whose: str) -> ModelRef:
    try:
        return ModelRef.checked(model_id, model_version, role, party_id)
    except BadRequest as exc:
        raise ArchiveError(f"{whose} {exc}") from None


def _pipeline(value: object) -> Pipeline:
    if not isinstance(value, dict) or not all(isinstance(value.get(part), dict) for part in _PIPELINE_PARTS):
        raise ArchiveError("the archive's pipeline is not an object with train_dsl, inference_dsl and runtime_conf "
                           "objects")
    return Pipeline(**{part: value[part] for part in _PIPELINE_PARTS})


def _listed_buffers(manifest: dict[str, Any], whose: str) -> list[_Listed]:
    """Every buffer the manifest lists, in order, once each is well-formed and named once."""
    listed: list[_Listed] = []
    components = manifest.get("components")
    if not isinstance(components, dict):
        raise ArchiveError(f"{whose} components are not an object of components")
    for component, aliases in components.items():
        try:
            identifiers.component(component, "component")
        except BadRequest as exc:
            raise ArchiveError(f"{whose} {exc}") from None
        if not isinstance(aliases, dict):
            raise ArchiveError(f"{whose} component {component} is not an object of model aliases")
        for alias, records in aliases.items():
            _name(alias, "model alias", whose)
            if not isinstance(records, list):
                raise ArchiveError(f"{whose} model alias {alias} of component {component} is not a list of buffers")
            listed.extend(_record(component, alias, record, whose) for record in records)
    _named_once(listed, whose)
    return listed


def _record(component: str, alias: str, record: object, whose: str) -> _Listed:
    fields = {"name": str, "type": str, "entry": str, "size": int, "sha256": str}
    if not isinstance(record, dict) or set(record) != set(fields) \
            or any(type(record[key]) is not kind for key, kind in fields.items()):
        raise ArchiveError(f"{whose} buffer list of component {component} (model alias {alias}) has an entry "
                           "that is not an object of name, type, entry, size and sha256")
    _name(record["name"], "buffer name", whose)
    if not _TYPE.fullmatch(record["type"]) or len(record["type"]) > 300:
        raise ArchiveError(f"{whose} buffer type {shown(record['type'])} is not a protobuf message type name")
    return _Listed(component, alias, **record)


def _name(value: object, field: str, whose: str) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ArchiveError(f"{whose} {field} {shown(value)} is not a name (letters, digits, '_', '-' and '.', "
                           "at most 200)")


def _named_once(listed: list[_Listed], whose: str) -> None:
    entries: set[str] = set()
    buffers: set[tuple[str, str, str]] = set()
    for record in listed:
        if record.entry in entries:
            raise ArchiveError(f"{whose} manifest lists entry {record.entry} twice")
        if (record.component, record.alias, record.name) in buffers:
            raise ArchiveError(f"{whose} manifest lists {record} twice")
        entries.add(record.entry)
        buffers.add((record.component, record.alias, record.name))


def _same_entries(present: set[str], listed: list[_Listed]) -> None:
    expected = {record.entry for record in listed}
    for missing in sorted(expected - present):
        raise ArchiveError(f"the archive lacks entry {missing}, which its manifest lists")
    for extra in sorted(present - expected):
        raise ArchiveError(f"the archive holds entry {extra}, which its manifest does not list")


def _checked_buffer(archive: zipfile.ZipFile, info: zipfile.ZipInfo, record: _Listed) -> bytes:
    data = _read(archive, info)
    if len(data) != record.size or _sha256(data) != record.sha256:
        raise ArchiveError(f"{record} does not match its checksum: the archive was changed after it was written")
    return data


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
