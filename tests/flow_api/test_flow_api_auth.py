"""FATE's HTTP request signature: the signing function, header checks, the nonce cache, and the app's hook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
import uuid
from typing import Any

import pytest
import requests

from flow_api.auth import (HEADERS, MAX_NONCE_LENGTH, AuthenticationError, Keys, NonceCache, SignedHeaders,
                           form_text, read_headers, sign, signed_headers, verify_signature)
from flow_api_fakes import KEYS, FakeFlow, HttpServer, job_ids, job_rows, message, returns, upload_answer
from protos import flow_pb2

NOW = 1_700_000_000.0
STALE = "the request's TIMESTAMP is more than 60 s from the server's clock"
QUERY = "/v1/job/query"


@pytest.fixture(scope="module")
def keys() -> Keys:
    """Every request in this module must be signed with KEYS."""
    return KEYS


def headers_at(when: float, path_url: bytes, body: bytes = b"", keys: Keys = KEYS,
               nonce: str | None = None) -> dict[str, str]:
    """Signature headers as a client whose clock reads `when` would send them."""
    timestamp, nonce = str(round(when * 1000)), nonce or str(uuid.uuid1())
    return {"TIMESTAMP": timestamp, "NONCE": nonce, "APP_KEY": keys.app_key,
            "SIGNATURE": sign(keys.secret_key, timestamp, nonce, keys.app_key, path_url, body)}


def refused(response: Any, sentence: str) -> None:
    """FATE's AUTHENTICATION_ERROR: retcode 109, HTTP 401, the one sentence."""
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.get_json() == {"retcode": 109, "retmsg": sentence}


# ---- the signature itself -------------------------------------------------------------------


def test_sign_is_fates_hmac_sha1_over_the_six_lines() -> None:
    timestamp, nonce, app_key = "1634890066095", "782d733e-330f-11ec-8be9-a0369fa972af", "app"
    path_url, body = b"/v1/job/query?x=1", b'{"job_id": "j1"}'
    lines = b"\n".join([timestamp.encode(), nonce.encode(), app_key.encode(), path_url, body, b""])
    expected = base64.b64encode(hmac.new(b"secret", lines, hashlib.sha1).digest()).decode()
    assert sign("secret", timestamp, nonce, app_key, path_url, body) == expected
    assert sign("other", timestamp, nonce, app_key, path_url, body) != expected


def test_form_text_sorts_and_quotes_as_fates_client() -> None:
    assert form_text({"b": "x y", "a": "é/~", "c": "-._"}.items()) == b"a=%C3%A9%2F~&b=x%20y&c=-._"


def test_signed_headers_are_fresh_and_verify() -> None:
    first, second = signed_headers(KEYS, QUERY.encode(), b"{}"), signed_headers(KEYS, QUERY.encode(), b"{}")
    assert set(first) == set(HEADERS) and first["NONCE"] != second["NONCE"]
    assert abs(int(first["TIMESTAMP"]) / 1000 - time.time()) < 5
    signed = read_headers(KEYS, first, time.time())
    verify_signature(KEYS, signed, QUERY.encode(), b"{}", b"")


@pytest.mark.parametrize("missing", HEADERS)
def test_each_header_is_required(missing: str) -> None:
    headers = headers_at(NOW, QUERY.encode())
    del headers[missing]
    with pytest.raises(AuthenticationError, match=f"^the request has no {missing} header$"):
        read_headers(KEYS, headers, NOW)


def test_header_checks() -> None:
    good = headers_at(NOW, QUERY.encode())
    cases = [
        ({"APP_KEY": "someone-else"}, "the APP_KEY is not this node's app key"),
        ({"TIMESTAMP": "1.7e12"}, "the request's TIMESTAMP is not a time in milliseconds"),
        ({"TIMESTAMP": "１７００"}, "the request's TIMESTAMP is not a time in milliseconds"),
        ({"TIMESTAMP": str(round((NOW - 61) * 1000))}, STALE),
        ({"TIMESTAMP": str(round((NOW + 61) * 1000))}, STALE),
        ({"NONCE": "n" * (MAX_NONCE_LENGTH + 1)}, f"the NONCE is longer than {MAX_NONCE_LENGTH} characters"),
    ]
    for change, sentence in cases:
        with pytest.raises(AuthenticationError) as caught:
            read_headers(KEYS, {**good, **change}, NOW)
        assert str(caught.value) == sentence
    for skew in (-59, 59):  # within the window either way
        assert read_headers(KEYS, headers_at(NOW + skew, QUERY.encode()), NOW).sent == pytest.approx(NOW + skew)


def test_the_signature_covers_every_line() -> None:
    signed = read_headers(KEYS, headers_at(NOW, b"/v1/job/stop", b'{"job_id": "j1"}'), NOW)
    verify_signature(KEYS, signed, b"/v1/job/stop", b'{"job_id": "j1"}', b"")
    for path_url, body, form in ((b"/v1/job/clean", b'{"job_id": "j1"}', b""),
                                 (b"/v1/job/stop?x=1", b'{"job_id": "j1"}', b""),
                                 (b"/v1/job/stop", b'{"job_id": "j2"}', b""),
                                 (b"/v1/job/stop", b'{"job_id": "j1"}', b"a=1")):
        with pytest.raises(AuthenticationError, match="^the SIGNATURE does not match$"):
            verify_signature(KEYS, signed, path_url, body, form)
    forged = SignedHeaders(signed.timestamp, signed.nonce, signed.app_key, signed.signature[:-4] + "AAA=")
    with pytest.raises(AuthenticationError, match="^the SIGNATURE does not match$"):
        verify_signature(KEYS, forged, b"/v1/job/stop", b'{"job_id": "j1"}', b"")
    with pytest.raises(AuthenticationError, match="^the SIGNATURE does not match$"):
        verify_signature(Keys(KEYS.app_key, "another-secret"), signed, b"/v1/job/stop", b'{"job_id": "j1"}', b"")


def test_keys_keep_the_secret_out_of_their_repr() -> None:
    assert "test-secret-key" not in repr(KEYS) and "test-app-key" in repr(KEYS)


# ---- the nonce cache --------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def test_a_nonce_is_refused_until_its_request_leaves_the_window() -> None:
    clock = Clock()
    nonces = NonceCache(clock=clock)
    nonces.add("n1", NOW + 60)
    with pytest.raises(AuthenticationError, match="^the NONCE was used before$"):
        nonces.add("n1", NOW + 60)
    clock.now = NOW + 59
    with pytest.raises(AuthenticationError, match="^the NONCE was used before$"):
        nonces.add("n1", NOW + 119)
    clock.now = NOW + 61
    nonces.add("n1", NOW + 121)  # forgotten: a request signed with it is stale by now anyway
    assert len(nonces) == 1


def test_the_cache_forgets_old_nonces_and_is_bounded() -> None:
    clock = Clock()
    nonces = NonceCache(capacity=100, clock=clock)
    for second in range(1000):  # a steady stream of requests: only the last window's nonces stay
        clock.now = NOW + second
        nonces.add(f"n{second}", clock.now + 60)
        assert len(nonces) <= 61
    for extra in range(100 - len(nonces)):
        nonces.add(f"burst{extra}", clock.now + 60)
    with pytest.raises(AuthenticationError, match="too many signed requests"):
        nonces.add("one-more", clock.now + 60)
    assert len(nonces) == 100
    clock.now += 61
    nonces.add("later", clock.now + 60)
    assert len(nonces) == 1


# ---- the app's hook -----------------------------------------------------------------------------


def signed_post(client: Any, path: str, body: Any, **headers: str) -> Any:
    raw = json.dumps(body).encode()
    return client.post(path, data=raw, content_type="application/json",
                       headers={**signed_headers(KEYS, path.encode(), raw), **headers})


def test_signed_requests_reach_the_node(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    reply = signed_post(client, QUERY, {"job_id": "j1"})
    assert reply.status_code == 200 and job_ids(reply.get_json()["data"]) == ["j1"]
    assert fake.last("QueryJob").filters == {"job_id": "j1"}
    fake.answers["JobConfig"] = returns(message(flow_pb2.JobConfigReply, dsl={}))
    assert signed_post(client, "/v1/job/config?role=guest", {"job_id": "j1"}).get_json()["retcode"] == 0
    raw = b'{"job_id": "j1"}'
    without_query = client.post("/v1/job/config?role=guest", data=raw, content_type="application/json",
                                       headers=signed_headers(KEYS, b"/v1/job/config", raw))
    refused(without_query, "the SIGNATURE does not match")


def test_refusals_change_nothing(client: Any, fake: FakeFlow) -> None:
    body = json.dumps({"job_id": "j1"}).encode()
    unsigned = client.post("/v1/job/stop", data=body, content_type="application/json")
    refused(unsigned, "the request has no TIMESTAMP header")
    stale = headers_at(time.time() - 120, b"/v1/job/stop", body)
    refused(client.post("/v1/job/stop", data=body, content_type="application/json", headers=stale), STALE)
    other = headers_at(time.time(), b"/v1/job/stop", body, keys=Keys(KEYS.app_key, "guessed"))
    refused(client.post("/v1/job/stop", data=body, content_type="application/json", headers=other),
            "the SIGNATURE does not match")
    tampered = headers_at(time.time(), b"/v1/job/stop", body)
    refused(client.post("/v1/job/stop", data=b'{"job_id": "j2"}', content_type="application/json",
                               headers=tampered), "the SIGNATURE does not match")
    refused(client.get("/v1/no/such/endpoint"), "the request has no TIMESTAMP header")
    assert not fake.calls


def test_a_replayed_request_is_refused(client: Any, fake: FakeFlow) -> None:
    fake.answers["StopJob"] = lambda request, context: flow_pb2.StopJobReply(status="canceled")
    body = b'{"job_id": "j1"}'
    headers = headers_at(time.time(), b"/v1/job/stop", body)
    first = client.post("/v1/job/stop", data=body, content_type="application/json", headers=headers)
    assert first.get_json()["retcode"] == 0
    again = client.post("/v1/job/stop", data=body, content_type="application/json", headers=headers)
    refused(again, "the NONCE was used before")
    assert len(fake.requests("StopJob")) == 1


def test_a_nonce_is_spent_only_by_a_matching_signature(client: Any, fake: FakeFlow) -> None:
    fake.answers["StopJob"] = lambda request, context: flow_pb2.StopJobReply(status="canceled")
    body = b'{"job_id": "j1"}'
    good = headers_at(time.time(), b"/v1/job/stop", body)
    forged = {**good, "SIGNATURE": headers_at(time.time(), b"/v1/job/stop", body, Keys("k", "x"))["SIGNATURE"]}
    refused(client.post("/v1/job/stop", data=body, content_type="application/json", headers=forged),
            "the SIGNATURE does not match")
    assert client.post("/v1/job/stop", data=body, content_type="application/json",
                              headers=good).get_json()["retcode"] == 0


def test_a_body_that_is_not_json_cannot_ride_along_unsigned(client: Any, fake: FakeFlow) -> None:
    body = b'{"job_id": "j1"}'
    headers = headers_at(time.time(), b"/v1/job/stop")  # signed as if there were no body
    reply = client.post("/v1/job/stop", data=body, content_type="text/plain", headers=headers)
    refused(reply, "a signed request's body must be JSON (Content-Type application/json)")
    assert not fake.calls


def test_a_form_is_signed_by_its_sorted_fields(client: Any, fake: FakeFlow) -> None:
    form = {"job_id": "j 1", "role": "guest"}
    path = "/v1/job/query"
    headers = {**signed_headers(KEYS, path.encode(), b"", form_text(form.items()))}
    reply = client.post(path, data=form, headers=headers)  # urlencoded
    assert reply.get_json()["retcode"] != 109  # past the signature (the route itself wants JSON)
    tampered = client.post(path, data={**form, "role": "host"},
                                  headers=signed_headers(KEYS, path.encode(), b"", form_text(form.items())))
    refused(tampered, "the SIGNATURE does not match")


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body of a refused upload was read")


def test_an_unsigned_upload_is_refused_before_its_body_is_read(client: Any, fake: FakeFlow) -> None:
    reply = client.post("/v1/data/upload?%7B%22namespace%22:%22n%22%7D",
                               content_type="multipart/form-data; boundary=xyz",
                               environ_overrides={"wsgi.input": Unreadable(), "CONTENT_LENGTH": str(1 << 30)})
    refused(reply, "the request has no TIMESTAMP header")
    assert not fake.calls


def test_a_signed_upload_signs_its_query_not_its_file(client: Any, fake: FakeFlow) -> None:
    received: list[flow_pb2.UploadChunk] = []
    fake.answers["Upload"] = upload_answer(received)
    path_url = '/v1/data/upload?{"namespace": "ns", "table_name": "t", "head": 1}'.replace(" ", "%20")
    headers = signed_headers(KEYS, path_url.encode())
    reply = client.post(path_url, data={"file": (io.BytesIO(b"id,x\n1,2\n"), "t.csv")}, headers=headers)
    assert reply.get_json()["retcode"] == 0, reply.get_json()
    assert received[0].settings.namespace == "ns" and reply.get_json()["data"]["count"] == 9
    other = signed_headers(KEYS, path_url.replace("ns", "other").encode())
    refused(client.post(path_url, data={"file": (io.BytesIO(b"id\n"), "t.csv")}, headers=other),
            "the SIGNATURE does not match")


def test_fate_clients_signature_over_a_live_server(http_server: HttpServer, fake: FakeFlow) -> None:
    """A request prepared by `requests` and signed as fate-client's flow does (the APP_KEY header has an
    underscore, which werkzeug's own handler drops)."""
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    prepped = requests.Request("post", http_server.url + QUERY, json={"job_id": "j1"}).prepare()
    assert isinstance(prepped.body, bytes) and prepped.path_url == QUERY
    prepped.headers.update(headers_at(time.time(), prepped.path_url.encode(), prepped.body))
    with requests.Session() as session:
        reply = session.send(prepped, timeout=30)
    assert reply.status_code == 200 and job_ids(reply.json()["data"]) == ["j1"], reply.text
