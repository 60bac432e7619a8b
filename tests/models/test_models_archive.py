"""The model archive: one zip per party model version, written deterministically, refused whole when not as written."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import warnings
import zipfile
from typing import Any, Callable

import pytest

from fate_runtime.errors import BadRequest
from fate_runtime.models import PartyModel, Pipeline
from fate_runtime.models import archive as archive_module
from fate_runtime.models.archive import MANIFEST, ArchiveError, read_archive, write_archive
from party_models import party_model
from protos import lr_model_pb2

LR_PARAM_ENTRY = "buffer-00004.pb"  # dataio_0's two buffers come first, then hetero_lr_0's Meta and Param


def _entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _zipped(entries: dict[str, bytes] | list[tuple[str, bytes]],
            compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of a duplicate name: one test wants it
        with zipfile.ZipFile(out, "w", compression) as archive:
            for name, data in (entries.items() if isinstance(entries, dict) else entries):
                archive.writestr(name, data)
    return out.getvalue()


def _manifest(archive: bytes) -> dict[str, Any]:
    return dict(json.loads(_entries(archive)[MANIFEST]))


def _resealed(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with its own checksum recomputed, as someone crafting an archive would do."""
    content = {key: value for key, value in manifest.items() if key != "manifest_sha256"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return {**content, "manifest_sha256": hashlib.sha256(canonical).hexdigest()}


def _with_manifest(archive: bytes, change: Callable[[dict[str, Any]], None], reseal: bool = True) -> bytes:
    manifest = _manifest(archive)
    change(manifest)
    entries = _entries(archive)
    entries[MANIFEST] = json.dumps(_resealed(manifest) if reseal else manifest).encode()
    return _zipped(entries)


def _edited(path: tuple[Any, ...], edit: Callable[[Any, Any], None]) -> Callable[[dict[str, Any]], None]:
    """A change of the manifest: `edit(container, key)` at the end of `path`."""
    def change(manifest: dict[str, Any]) -> None:
        target: Any = manifest
        for key in path[:-1]:
            target = target[key]
        edit(target, path[-1])
    return change


def _set(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    return _edited(path, lambda target, key: target.__setitem__(key, value))


def _rename(*path: Any, to: str) -> Callable[[dict[str, Any]], None]:
    """Renames the key at the end of `path` (a component or a model alias)."""
    return _edited(path, lambda target, key: target.__setitem__(to, target.pop(key)))


def _refused(archive: bytes, match: str, **options: Any) -> ArchiveError:
    with pytest.raises(ArchiveError, match=match) as caught:
        read_archive(archive, **options)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message, message
    return caught.value


@pytest.fixture(scope="module")
def model() -> PartyModel:
    return party_model()


@pytest.fixture(scope="module")
def archive(model: PartyModel) -> bytes:
    return write_archive(model)


# ---- what is written comes back --------------------------------------------------------------------------------


def test_an_archive_reads_back_as_the_same_model(model, archive):
    restored = read_archive(archive)
    assert restored == model
    param = lr_model_pb2.LRModelParam.FromString(restored.components["hetero_lr_0"]["hetero_lr"][1].data)
    assert dict(param.weight) == {"x0": 0.25, "x1": -1.5, "x2": 1e-9}
    assert restored.pipeline.inference_dsl == model.pipeline.inference_dsl


def test_an_archive_reads_back_from_a_file(model, archive, tmp_path):
    path = tmp_path / "model.zip"
    path.write_bytes(archive)
    with path.open("rb") as stream:
        assert read_archive(stream) == model


def test_aliases_without_buffers_and_components_without_aliases_come_back(model):
    sparse = party_model(components={**model.components, "evaluation_0": {}, "intersection_0": {"model": []}})
    assert read_archive(write_archive(sparse)) == sparse


def test_the_manifest_names_the_version_and_each_buffer(model, archive):
    manifest = _manifest(archive)
    assert (manifest["format_version"], manifest["model_id"], manifest["model_version"], manifest["role"],
            manifest["party_id"]) == (1, model.model_id, model.model_version, "guest", "9999")
    listed = manifest["components"]["hetero_lr_0"]["hetero_lr"][1]
    data = model.components["hetero_lr_0"]["hetero_lr"][1].data
    assert listed == {"name": "HeteroLRParam", "type": "com.webank.ai.fate.core.mlmodel.buffer.LRModelParam",
                      "entry": LR_PARAM_ENTRY, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert manifest["pipeline"]["train_dsl"] == model.pipeline.train_dsl


def test_writing_is_deterministic(model, archive):
    assert write_archive(model) == archive
    reordered = party_model(
        components={component: dict(reversed(aliases.items())) for component, aliases in
                    reversed(model.components.items())},
        pipeline=Pipeline(dict(reversed(model.pipeline.train_dsl.items())), model.pipeline.inference_dsl,
                          dict(reversed(model.pipeline.runtime_conf.items()))))
    assert write_archive(reordered) == archive  # dict order is no part of the model
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert {info.date_time for info in opened.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_refusals_are_bad_requests_and_value_errors():
    error = _refused(b"not a zip at all", "not a zip file")
    assert isinstance(error, BadRequest) and isinstance(error, ValueError)


# ---- files that are no archive as written ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"not a zip at all", b'{"model_id": "x"}', b"\x00" * 100])
def test_a_file_that_is_not_a_zip_is_refused(data):
    _refused(data, "the file is not a model archive")


def test_an_empty_file_is_refused():
    _refused(b"", "the archive is empty")


@pytest.mark.parametrize("keep", [30, 0.5, -22, -1], ids=["header-only", "half", "no-end-record", "last-byte"])
def test_a_truncated_archive_is_refused(archive, keep):
    cut = int(len(archive) * keep) if isinstance(keep, float) else keep
    _refused(archive[:cut], "the archive is truncated or damaged")


def test_a_damaged_entry_is_refused(archive):
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        info = opened.getinfo(LR_PARAM_ENTRY)
    name_length, extra_length = struct.unpack("<HH", archive[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    damaged = bytearray(archive)
    damaged[start + info.compress_size // 2] ^= 0xFF
    _refused(bytes(damaged), f"entry {LR_PARAM_ENTRY} of the archive is damaged")


def test_an_archive_without_its_manifest_is_refused(archive):
    entries = _entries(archive)
    del entries[MANIFEST]
    _refused(_zipped(entries), "the archive has no manifest.json")


def test_a_missing_entry_is_refused(archive):
    entries = _entries(archive)
    del entries[LR_PARAM_ENTRY]
    _refused(_zipped(entries), f"the archive lacks entry {LR_PARAM_ENTRY}, which its manifest lists")


def test_an_extra_entry_is_refused(archive):
    _refused(_zipped({**_entries(archive), "notes.txt": b"hello"}),
             "the archive holds entry notes.txt, which its manifest does not list")


def test_an_entry_held_twice_is_refused(archive):
    entries = list(_entries(archive).items())
    _refused(_zipped(entries + [(LR_PARAM_ENTRY, b"other weights")]), f"holds entry {LR_PARAM_ENTRY} twice")


def test_a_tampered_buffer_is_refused(archive):
    forged = lr_model_pb2.LRModelParam(iters=3, weight={"x0": 9.0, "x1": -1.5, "x2": 1e-9}, intercept=0.125,
                                       header=["x0", "x1", "x2"]).SerializeToString()
    _refused(_zipped({**_entries(archive), LR_PARAM_ENTRY: forged}),
             "buffer HeteroLRParam of component hetero_lr_0 \\(model alias hetero_lr\\) does not match its checksum")


@pytest.mark.parametrize("change", [
    _set("pipeline", "runtime_conf", "algorithm_parameters", "hetero_lr_0", "learning_rate", value=9.0),
    _edited(("pipeline", "inference_dsl", "components", "hetero_feature_selection_0"), dict.__delitem__),
    _set("party_id", value="10000"),
    _set("model_version", value="20261201000000000002"),
    _set("components", "hetero_lr_0", "hetero_lr", 1, "type", value=lr_model_pb2.LRModelMeta.DESCRIPTOR.full_name),
    _edited(("manifest_sha256",), dict.__delitem__),
], ids=["learning-rate", "deployed-component", "party", "version", "buffer-type", "no-checksum"])
def test_a_tampered_manifest_is_refused(archive, change):
    _refused(_with_manifest(archive, change, reseal=False),
             "the archive's manifest does not match its checksum: it was changed after the archive was written")


def test_a_buffer_replaced_with_its_manifest_entry_is_refused(archive):
    forged = lr_model_pb2.LRModelParam(iters=3, weight={"x0": 9.0}).SerializeToString()

    def follow(manifest: dict[str, Any]) -> None:
        listed = manifest["components"]["hetero_lr_0"]["hetero_lr"][1]
        listed.update(size=len(forged), sha256=hashlib.sha256(forged).hexdigest())

    forged_archive = _with_manifest(archive, follow, reseal=False)
    _refused(_zipped({**_entries(forged_archive), LR_PARAM_ENTRY: forged}), "manifest does not match its checksum")


@pytest.mark.parametrize("version", [2, 0, "1", True, None])
def test_an_unknown_format_version_is_refused(archive, version):
    def change(manifest: dict[str, Any]) -> None:
        manifest["format_version"] = version

    _refused(_with_manifest(archive, change), "format version .* is not one this node reads \\(it reads version 1\\)")


@pytest.mark.parametrize("text, match", [(b"{not json", "is not valid JSON"), (b"\xff\xfe", "is not valid JSON"),
                                         (b"[1, 2]", "is not a JSON object"),
                                         (b"[" * 100_000 + b"]" * 100_000, "is not valid JSON")])
def test_a_manifest_that_is_no_json_object_is_refused(archive, text, match):
    _refused(_zipped({**_entries(archive), MANIFEST: text}), f"the archive's manifest {match}")


# ---- names that could reach a path, and identifiers --------------------------------------------------------------


@pytest.mark.parametrize("name", ["../buffer-00001.pb", "models/buffer-00001.pb", "/buffer-00001.pb",
                                  "..\\buffer-00001.pb", "buffer..pb", "..", "C:buffer.pb"])
def test_entry_names_that_are_not_plain_file_names_are_refused(archive, name):
    _refused(_zipped({**_entries(archive), name: b"x"}), "which is not a plain file name")


@pytest.mark.parametrize("change, match", [
    (_set("model_id", value="../../etc#model"), "the archive's model_id '../../etc#model' is not a model id"),
    (_set("model_id", value=None), "the archive's model_id None is not a model id"),
    (_set("model_version", value="../20261201000000000001"), "the archive's model_version .* is not a job id"),
    (_set("role", value="boss"), "the archive's role 'boss' is not a role"),
    (_set("party_id", value="9999/.."), "the archive's party_id '9999/..' is not a party id"),
    (_rename("components", "dataio_0", to="../dataio_0"), "the archive's component '../dataio_0' is not a component"),
    (_rename("components", "dataio_0", "dataio", to="a/b"), "the archive's model alias 'a/b' is not a name"),
    (_set("components", "dataio_0", "dataio", 0, "name", value="x\ny"), "the archive's buffer name 'x\\\\ny' is not a"),
    (_set("components", "dataio_0", "dataio", 0, "type", value="not a type"), "buffer type 'not a type' is not a "
                                                                             "protobuf message type name"),
    (_set("components", "dataio_0", "dataio", 0, "size", value="24"), "has an entry that is not an object of name"),
    (_set("components", "dataio_0", "dataio", 0, "extra", value=1), "has an entry that is not an object of name"),
    (_set("components", "dataio_0", "dataio", value={}), "model alias dataio of component dataio_0 is not a list"),
    (_set("components", "dataio_0", value=[]), "component dataio_0 is not an object of model aliases"),
    (_set("components", value=[]), "the archive's components are not an object"),
    (_set("pipeline", "train_dsl", value="{}"), "the archive's pipeline is not an object with train_dsl"),
    (_set("pipeline", value=None), "the archive's pipeline is not an object with train_dsl"),
], ids=["model_id", "model_id-missing", "model_version", "role", "party_id", "component", "alias", "buffer-name",
        "buffer-type", "size-type", "record-field", "alias-not-list", "aliases-not-object", "components-not-object",
        "train_dsl-not-object", "pipeline-missing"])
def test_a_manifest_with_ill_formed_identifiers_or_shape_is_refused_even_when_resealed(archive, change, match):
    _refused(_with_manifest(archive, change), match)


def test_a_manifest_listing_one_entry_for_two_buffers_is_refused(archive):
    def change(manifest: dict[str, Any]) -> None:
        buffers = manifest["components"]["dataio_0"]["dataio"]
        buffers[1] = {**buffers[1], "entry": buffers[0]["entry"]}

    _refused(_with_manifest(archive, change), "manifest lists entry buffer-00001.pb twice")


def test_a_manifest_listing_a_buffer_twice_is_refused(archive):
    def change(manifest: dict[str, Any]) -> None:
        buffers = manifest["components"]["dataio_0"]["dataio"]
        buffers[1] = {**buffers[1], "name": buffers[0]["name"]}

    _refused(_with_manifest(archive, change), "manifest lists buffer DataIOMeta of component dataio_0 "
                                              "\\(model alias dataio\\) twice")


def test_writing_refuses_a_model_the_reader_would_refuse(model):
    with pytest.raises(ArchiveError, match="the model's role 'boss' is not a role"):
        write_archive(party_model(role="boss"))
    with pytest.raises(ArchiveError, match="the model's model alias '../x' is not a name"):
        write_archive(party_model(components={"dataio_0": {"../x": []}}))


# ---- archives built to exhaust the reader ---------------------------------------------------------------------


def _with_zeros(archive: bytes, size: int) -> bytes:
    """The archive with one more entry of `size` zero bytes (a few hundred KiB packed per 100 MiB)."""
    out = io.BytesIO(archive)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as opened, opened.open("zeros.pb", "w") as entry:
        chunk = bytes(1 << 20)
        for start in range(0, size, len(chunk)):
            entry.write(chunk[:size - start])
    return out.getvalue()


def test_an_archive_that_unpacks_beyond_the_stated_limit_is_refused(archive):
    bomb = _with_zeros(archive, archive_module.MAX_UNPACKED_BYTES)
    assert len(bomb) < archive_module.MAX_UNPACKED_BYTES // 500
    _refused(bomb, f"the archive unpacks to \\d+ bytes, more than the {archive_module.MAX_UNPACKED_BYTES} a model "
                   "archive may hold")


def test_the_limit_can_be_set_per_read(archive):
    _refused(_with_zeros(archive, 2 << 20), "more than the 1048576 a model archive may hold", max_bytes=1 << 20)
    assert read_archive(archive, max_bytes=len(archive) * 10) == read_archive(archive)


def test_an_entry_that_unpacks_to_more_than_its_header_says_is_refused(archive):
    entries = _entries(archive)
    bigger = entries[LR_PARAM_ENTRY] + bytes(1 << 20)
    lying = bytearray(_zipped({**entries, LR_PARAM_ENTRY: bigger}))
    central = lying.index(b"PK\x01\x02")
    while not lying[central + 46:].startswith(LR_PARAM_ENTRY.encode()):  # this entry's central directory record
        central = lying.index(b"PK\x01\x02", central + 4)
    honest_size = len(entries[LR_PARAM_ENTRY])
    lying[central + 24:central + 28] = struct.pack("<I", honest_size)  # declares the size the manifest lists
    _refused(bytes(lying), f"entry {LR_PARAM_ENTRY} of the archive is damaged")


def test_an_archive_of_too_many_entries_is_refused(archive, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_ENTRIES", 5)
    _refused(_zipped({**_entries(archive), "one-more.pb": b""}), "holds 6 entries, more than the 5")


def test_an_encrypted_entry_is_refused(archive):
    flagged = bytearray(archive)
    central = flagged.index(b"PK\x01\x02")
    flagged[central + 8] |= 0x1  # the general purpose flag: encrypted
    _refused(bytes(flagged), "entry manifest.json of the archive is encrypted")


def test_an_entry_packed_with_another_method_is_refused(archive):
    _refused(_zipped(_entries(archive), zipfile.ZIP_BZIP2), "compressed with a method this node does not unpack")
