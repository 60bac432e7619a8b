"""Raw intersection: either join role, encoded ids, one and several hosts, sync or not, no overlap."""

from __future__ import annotations

import base64
import hashlib

import pytest

from intersection_cases import (GUEST, GUEST_ONLY, HOST, HOST_B, HOST_ONLY, SHARED, metrics, names_of_transfers,
                                output_ids, run_expecting, run_intersection)

RAW = {"intersect_method": "raw"}
PARTIES = {GUEST: SHARED + GUEST_ONLY, HOST: SHARED + HOST_ONLY}


@pytest.mark.parametrize("join_role", ["guest", "host"])
def test_both_join_roles_give_both_parties_the_intersection(tmp_path, join_role):
    run = run_intersection(tmp_path, PARTIES, join_role=join_role, only_output_key=True, **RAW)
    assert output_ids(run, GUEST) == output_ids(run, HOST) == {sid: "intersect_id" for sid in SHARED}
    assert metrics(run, GUEST)["intersect_count"] == metrics(run, HOST)["intersect_count"] == 30
    sender = "host" if join_role == "guest" else "guest"
    assert (f"send_ids_{sender}", sender, join_role) in names_of_transfers(run)


def test_join_role_guest_is_fates_default_and_the_hosts_ids_go_to_the_guest(tmp_path):
    run = run_intersection(tmp_path, PARTIES, **RAW)
    assert sorted(names_of_transfers(run)) == [("intersect_ids_guest", "guest", "host"),
                                               ("send_ids_host", "host", "guest")]
    assert output_ids(run, GUEST)["shared-id-0001"] == "9999,1"  # (only_output_key false: the rows)


@pytest.mark.parametrize("as_base64", [False, True])
def test_encoded_ids_travel_hashed_with_the_salt_and_come_back_as_ids(tmp_path, as_base64):
    run = run_intersection(tmp_path, PARTIES, join_role="host", with_encode=True, only_output_key=True,
                           encode_params={"encode_method": "sha256", "salt": "12345", "base64": as_base64}, **RAW)
    assert set(output_ids(run, GUEST)) == set(output_ids(run, HOST)) == set(SHARED)
    sent = next(t.payload for t in run.transfers if t.name == "send_ids_guest")
    digest = hashlib.sha256(b"guest-only-0003" + b"12345")
    expected = base64.b64encode(digest.digest()) if as_base64 else digest.hexdigest().encode()
    assert expected in sent and b"guest-only-0003" not in sent


@pytest.mark.parametrize("join_role, learns", [("guest", GUEST), ("host", HOST)])
def test_without_sync_only_the_join_role_has_an_output(tmp_path, join_role, learns):
    run = run_intersection(tmp_path, PARTIES, join_role=join_role, sync_intersect_ids=False, **RAW)
    other = HOST if learns == GUEST else GUEST
    assert set(output_ids(run, learns)) == set(SHARED)
    assert "data" not in run.results[other].tracker.outputs and metrics(run, other)["intersect_count"] == -1
    assert len(run.transfers) == 1


@pytest.mark.parametrize("join_role", ["guest", "host"])
def test_several_hosts_end_with_the_ids_all_share(tmp_path, join_role):
    run = run_intersection(tmp_path, {**PARTIES, HOST_B: SHARED[5:] + HOST_ONLY}, join_role=join_role,
                           only_output_key=True, **RAW)
    for party in (GUEST, HOST, HOST_B):
        assert set(output_ids(run, party)) == set(SHARED[5:]), party


@pytest.mark.parametrize("join_role", ["guest", "host"])
def test_no_overlap_fails_naming_the_host_and_nobody_waits(tmp_path, join_role):
    message, seconds = run_expecting(tmp_path, {GUEST: SHARED + GUEST_ONLY, HOST: SHARED, HOST_B: HOST_ONLY},
                                     join_role=join_role, **RAW)
    assert message == "no ids overlap between guest 9999 and host 10001" and seconds < 10
    message, _ = run_expecting(tmp_path / "both", {GUEST: GUEST_ONLY, HOST: SHARED, HOST_B: HOST_ONLY},
                               join_role=join_role, **RAW)
    assert message == "no ids overlap between guest 9999 and hosts 10000, 10001"


def test_without_sync_a_joining_host_with_no_overlap_fails_itself(tmp_path):
    message, seconds = run_expecting(tmp_path, {GUEST: GUEST_ONLY, HOST: HOST_ONLY}, join_role="host",
                                     sync_intersect_ids=False, **RAW)
    assert message == "no ids overlap between guest 9999 and host 10000" and seconds < 10
