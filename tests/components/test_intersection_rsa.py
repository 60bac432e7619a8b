"""RSA intersection: results for one and several hosts, sync or not, outputs and metrics, no overlap, privacy."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from component_harness import PartySetup, PartyStores, run_component
from fate_runtime.components import BUILTIN, dataio, intersection
from fate_runtime.components.instances import Instance
from fate_runtime.components.params import ParameterError
from intersection_cases import (GUEST, GUEST_ONLY, HOST, HOST_B, HOST_ONLY, SHARED, metrics, names_of_transfers,
                                output_ids, run_expecting, run_intersection)
from uploaded_tables import stored

RSA = {"intersect_method": "rsa"}


def test_one_host_synced_both_learn_the_intersection_as_fate_marks_it(tmp_path):
    run = run_intersection(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: SHARED + HOST_ONLY}, only_output_key=True,
                           **RSA)
    assert output_ids(run, GUEST) == {sid: 1 for sid in SHARED}
    assert output_ids(run, HOST) == {sid: "id" for sid in SHARED}
    assert metrics(run, GUEST) == {"intersect_count": 30, "intersect_rate": 30 / 40}
    assert metrics(run, HOST) == {"intersect_count": 30, "intersect_rate": 30 / 45}
    assert run.results[GUEST].tracker.metas[("train", "intersection")]["metric_type"] == "INTERSECTION"


def test_without_only_output_key_the_rows_and_schema_of_the_input_are_kept(tmp_path):
    run = run_intersection(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: HOST_ONLY + SHARED}, **RSA)
    guest_rows, host_rows = output_ids(run, GUEST), output_ids(run, HOST)
    assert set(guest_rows) == set(host_rows) == set(SHARED)
    assert guest_rows["shared-id-0003"] == "9999,3" and host_rows["shared-id-0003"] == "10000,18"
    assert run.outputs(GUEST).schema == {"header": "owner,index", "sid": "id", "delimiter": ","}


def test_without_sync_the_host_learns_nothing_and_has_no_output(tmp_path):
    run = run_intersection(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: SHARED + HOST_ONLY},
                           sync_intersect_ids=False, **RSA)
    assert set(output_ids(run, GUEST)) == set(SHARED)
    assert "data" not in run.results[HOST].tracker.outputs
    assert metrics(run, HOST) == {"intersect_count": -1, "intersect_rate": -1.0}
    assert [name for name, src, _ in names_of_transfers(run) if src == "guest"] == ["intersect_guest_ids"]


def test_several_hosts_give_the_ids_every_host_has_to_everyone(tmp_path):
    run = run_intersection(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: SHARED + HOST_ONLY,
                                      HOST_B: SHARED[:20] + GUEST_ONLY[:5]}, only_output_key=True, **RSA)
    assert output_ids(run, GUEST) == {sid: "id" for sid in SHARED[:20]}
    assert set(output_ids(run, HOST)) == set(output_ids(run, HOST_B)) == set(SHARED[:20])


def test_a_host_sharing_no_id_fails_the_guest_naming_it_and_nobody_waits(tmp_path):
    message, seconds = run_expecting(tmp_path, {GUEST: GUEST_ONLY, HOST: HOST_ONLY}, **RSA)
    assert message == "no ids overlap between guest 9999 and host 10000" and seconds < 10


def test_with_several_hosts_the_one_sharing_nothing_is_named(tmp_path):
    message, seconds = run_expecting(tmp_path, {GUEST: SHARED, HOST: SHARED, HOST_B: HOST_ONLY}, **RSA)
    assert message == "no ids overlap between guest 9999 and host 10001" and seconds < 10


def test_hosts_that_each_overlap_but_share_nothing_in_common(tmp_path):
    message, _ = run_expecting(tmp_path / "common", {GUEST: SHARED, HOST: SHARED[:10], HOST_B: SHARED[10:]}, **RSA)
    assert message == "no ids are common to guest 9999 and hosts 10000, 10001"
    message, seconds = run_expecting(tmp_path / "unsynced", {GUEST: GUEST_ONLY, HOST: HOST_ONLY},
                                     sync_intersect_ids=False, **RSA)
    assert message == "no ids overlap between guest 9999 and host 10000" and seconds < 10


def test_no_id_or_plain_id_hash_crosses_the_federation_in_either_direction(tmp_path):
    ids = SHARED + GUEST_ONLY + HOST_ONLY
    run = run_intersection(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: SHARED + HOST_ONLY}, **RSA)
    assert sorted(names_of_transfers(run)) == [
        ("intersect_guest_ids", "guest", "host"), ("intersect_guest_ids_process", "host", "guest"),
        ("intersect_host_ids_process", "host", "guest"), ("intersect_ids", "guest", "host"),
        ("rsa_pubkey", "host", "guest")]
    for transfer in run.transfers:
        for sid in ids:
            assert sid.encode() not in transfer.payload, (transfer.name, sid)
            assert hashlib.sha256(sid.encode()).hexdigest().encode() not in transfer.payload, (transfer.name, sid)
            assert hashlib.sha256(sid.encode()).digest() not in transfer.payload, (transfer.name, sid)


def test_the_host_receives_only_the_digests_of_the_intersection(tmp_path):
    run = run_intersection(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: SHARED + HOST_ONLY}, **RSA)
    synced = [t for t in run.transfers if t.name == "intersect_ids"]
    digests = [t for t in run.transfers if t.name == "intersect_host_ids_process"]
    assert len(synced) == 1 and synced[0].was_table
    # 30 of the host's 45 digests come back: the host learns the intersection and nothing of the guest's other ids
    assert len(synced[0].payload) * 45 == pytest.approx(len(digests[0].payload) * 30, rel=0.01)


def test_fates_cache_parameters_are_accepted_and_repeated_ids_refused(tmp_path):
    run = run_intersection(tmp_path, {GUEST: SHARED, HOST: SHARED},
                           intersect_cache_param={"use_cache": True, "id_type": "tag1", "encrypt_type": "tag2"},
                           **RSA)
    assert set(output_ids(run, GUEST)) == set(SHARED)
    with pytest.raises(ParameterError, match="repeated_id_process must be one of False"):
        intersection.SPEC.parameters({"repeated_id_process": True})
    with pytest.raises(ParameterError, match="^intersect_method must be one of rsa, raw, got 'psi'$"):
        intersection.SPEC.parameters({"intersect_method": "psi"})
    with pytest.raises(ParameterError, match="^encode_params.encode_method must be one of"):
        intersection.SPEC.parameters({"encode_params": {"encode_method": "sha3"}})


def test_a_built_in_module_of_a_guest_and_hosts():
    spec = BUILTIN["Intersection"]
    assert spec is intersection.SPEC and spec.roles == spec.required_roles == ("guest", "host") and spec.deploy


def test_instances_from_dataio_keep_their_rows_and_schema(tmp_path):
    stores = PartyStores(tmp_path)
    tables = {}
    for party, rows in ((GUEST, {"a": "1,0.5", "b": "0,1.5", "c": "1,2.5"}), (HOST, {"b": "7", "c": "8", "d": "9"})):
        raw = stored(stores[party], rows, "y,x0" if party == GUEST else "h0")
        made = run_component(dataio.SPEC, stores, {party: PartySetup({"with_label": party == GUEST}, {"data": [raw]})})
        tables[party] = made.outputs(party)
    run = run_component(intersection.SPEC, stores, {party: PartySetup(RSA, {"data": [table]})
                                                    for party, table in tables.items()}, component="intersect_0")
    guest = dict(run.outputs(GUEST).collect())
    assert guest == {"b": Instance(np.array([1.5]), 0.0), "c": Instance(np.array([2.5]), 1.0)}
    assert run.outputs(GUEST).schema == {"header": ["x0"], "sid_name": "id", "label_name": "y"}
    assert dict(run.outputs(HOST).collect()) == {"b": Instance(np.array([7.0])), "c": Instance(np.array([8.0]))}
    assert run.outputs(HOST).schema == {"header": ["h0"], "sid_name": "id"}
