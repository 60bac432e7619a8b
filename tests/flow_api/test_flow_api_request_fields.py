"""Input hygiene at the REST layer's entry: integers, Unicode, nesting, body size and field lengths."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from flow_api.envelope import ApiError
from flow_api.request_fields import (BODY_TOO_LARGE, MAX_BODY_BYTES, MAX_DEPTH, checked_object, integer, json_object,
                                     text)
from flow_api_fakes import FakeFlow, job_rows, returns, upload_answer
from protos import flow_pb2

CONF = {"initiator": {"role": "guest", "party_id": 9999}, "role": {"guest": [9999]}}
TOO_DEEP = "the request body is nested more than 64 levels deep"


def refusal(response: Any) -> str:
    """The retmsg of a retcode 100 refusal."""
    body = response.get_json()
    assert body["retcode"] == 100 and set(body) == {"retcode", "retmsg"}, body
    return body["retmsg"]


def nested(depth: int) -> Any:
    """A JSON value `depth` levels deep (1: [])."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


# ---- integer and text ------------------------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [
    (12, 12), (12.0, 12), ("12", 12), (" +12 ", 12), ("-3", -3), ("0007", 7), ("", None), (None, None),
])
def test_integer_accepts(given: Any, expected: int | None) -> None:
    assert integer({"partition": given}, "partition") == expected


@pytest.mark.parametrize("given", ["²", "1²", "١٢", "１２", "1_000", "0x10", "1e3", "--1", "+", True, 1.5, [1]])
def test_integer_refuses_what_is_not_ascii_digits(given: Any) -> None:
    with pytest.raises(ApiError, match="^partition must be an integer$"):
        integer({"partition": given}, "partition")


@pytest.mark.parametrize("given", ["1" * 5000, 1 << 31, "2147483648", "-2147483649", 1e300])
def test_integer_out_of_range(given: Any) -> None:
    with pytest.raises(ApiError, match="^partition is out of range$"):
        integer({"partition": given}, "partition")


def test_text_bounds() -> None:
    assert text({"namespace": "n" * 4096}, "namespace") == "n" * 4096
    assert text({"notes": "n" * 10_000}, "notes") == "n" * 10_000
    for name, limit in (("namespace", 4096), ("notes", 10_000), ("description", 10_000)):
        with pytest.raises(ApiError, match=f"^{name} is longer than {limit} characters$"):
            text({name: "n" * (limit + 1)}, name)
    with pytest.raises(ApiError, match="^the field namespace has text that is not valid Unicode$"):
        text({"namespace": "ok\ud800"}, "namespace")


def test_json_object_names_what_it_reads() -> None:
    what = "the upload conf in the query string"
    for raw, message in (("{", f"{what} is not valid JSON"),
                         ("[1]", f"{what} must be a JSON object"),
                         ('{"a": ' + "1" * 5000 + "}", f"{what} has a number too long to read"),
                         ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", f"{what} is nested more than 64 levels deep"),
                         ('{"a": ' + "[" * 70 + "]" * 70 + "}", f"{what} is nested more than 64 levels deep"),
                         ('{"\\ud800": 1}', f"a field name in {what} is not valid Unicode")):
        with pytest.raises(ApiError) as refused:
            json_object(raw, what)
        assert refused.value.retmsg == message
    assert json_object(b'{"namespace": "n"}', what) == {"namespace": "n"}


def test_checked_object_walks_every_key_and_string() -> None:
    deep_conf = {"job_runtime_conf": {"role_parameters": {"guest": {"args": {"data": [{"name": "x\udfff"}]}}}}}
    with pytest.raises(ApiError, match="^the field job_runtime_conf has text that is not valid Unicode$"):
        checked_object(deep_conf)
    with pytest.raises(ApiError, match="^the field job_dsl has text that is not valid Unicode$"):
        checked_object({"job_dsl": {"components": {"\ud800": {}}}})
    with pytest.raises(ApiError, match="^a field name in the request body is not valid Unicode$"):
        checked_object({"\ud800": 1})
    with pytest.raises(ApiError, match="^a field name in the request body is longer than 128 characters$"):
        checked_object({"k" * 129: 1})
    big = {"job_runtime_conf": {"notes": "x" * 50_000}}  # inside a big object, strings are not field-bounded
    assert checked_object(big) is big
    assert checked_object({"job_dsl": nested(MAX_DEPTH - 1)})
    with pytest.raises(ApiError, match=f"^{TOO_DEEP}$"):
        checked_object({"job_dsl": nested(MAX_DEPTH)})


# ---- at the app: each refusal is retcode 100, one sentence, and reaches no node ----------------------


def post_raw(client: Any, path: str, raw: str | bytes) -> Any:
    return client.post(path, data=raw, content_type="application/json")


def test_a_lone_surrogate_in_the_body(client: Any, fake: FakeFlow) -> None:
    for raw in ('{"namespace": "\\ud800", "table_name": "t"}', '{"job_id": "j1", "\\udc00": 1}'):
        assert "not valid Unicode" in refusal(post_raw(client, "/v1/table/table_info", raw))
    message = refusal(post_raw(client, "/v1/table/table_info", '{"namespace": "\\ud800", "table_name": "t"}'))
    assert message == "the field namespace has text that is not valid Unicode"
    submit = json.dumps({"job_runtime_conf": CONF, "job_dsl": {"components": {}}}).replace("9999", '"\\ud83d"', 1)
    assert refusal(post_raw(client, "/v1/job/submit", submit)) == (
        "the field job_runtime_conf has text that is not valid Unicode")
    assert not fake.calls


def test_deep_nesting_is_refused_without_recursion_errors(client: Any, fake: FakeFlow) -> None:
    for depth in (MAX_DEPTH + 1, 1000, 100_000):
        raw = '{"job_runtime_conf": ' + "[" * depth + "]" * depth + "}"
        assert refusal(post_raw(client, "/v1/job/submit", raw)) == TOO_DEEP
    assert not fake.calls


def test_a_number_too_long_to_read(client: Any, fake: FakeFlow) -> None:
    raw = '{"job_id": "j1", "limit": ' + "9" * 5000 + "}"
    assert refusal(post_raw(client, "/v1/job/query", raw)) == "the request body has a number too long to read"
    assert not fake.calls


def test_field_lengths(client: Any, fake: FakeFlow) -> None:
    body = {"job_id": "j1", "role": "guest", "party_id": 9999, "notes": "n" * 10_001}
    assert refusal(client.post("/v1/job/update", json=body)) == "notes is longer than 10000 characters"
    long_filter = {"job_id": "j" * 4097}
    assert refusal(client.post("/v1/job/query", json=long_filter)) == "job_id is longer than 4096 characters"
    assert not fake.calls
    fake.answers["UpdateJob"] = returns(flow_pb2.UpdateJobReply())
    assert client.post("/v1/job/update", json={**body, "notes": "n" * 10_000}).get_json()["retcode"] == 0


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: Any, fake: FakeFlow) -> None:
    class Unread(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("an oversized body was read")

    response = client.post("/v1/job/submit", content_type="application/json",
                           environ_overrides={"wsgi.input": Unread(), "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1)})
    assert response.status_code == 413 and refusal(response) == BODY_TOO_LARGE
    assert not fake.calls


def test_a_chunked_body_over_the_limit_is_cut_off(client: Any, fake: FakeFlow) -> None:
    huge = io.BytesIO(b'{"job_id": "' + b"j" * (MAX_BODY_BYTES + 10) + b'"}')
    response = client.post("/v1/job/query", content_type="application/json",
                           environ_overrides={"wsgi.input": huge, "wsgi.input_terminated": True,
                                              "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 413 and refusal(response) == BODY_TOO_LARGE
    assert huge.tell() <= MAX_BODY_BYTES + (1 << 16)  # read up to the limit, not to the end
    assert not fake.calls


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_at_the_limit_is_read(client: Any, fake: FakeFlow, chunked: bool) -> None:
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    raw = json.dumps({"job_id": "j1", "local": {"padding": ""}}).encode()  # (`local`: FATE's client's, no filter)
    raw = raw.replace(b'"padding": ""', b'"padding": "' + b"p" * (MAX_BODY_BYTES - len(raw)) + b'"')
    assert len(raw) == MAX_BODY_BYTES
    overrides = {"wsgi.input": io.BytesIO(raw), "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
    response = client.post("/v1/job/query", content_type="application/json",
                           **({"environ_overrides": overrides} if chunked else {"data": raw}))
    assert response.get_json()["retcode"] == 0
    assert fake.last("QueryJob").filters == {"job_id": "j1"}


def test_a_multipart_upload_is_not_bounded_by_the_json_limit(client: Any, fake: FakeFlow) -> None:
    received: list[flow_pb2.UploadChunk] = []
    fake.answers["Upload"] = upload_answer(received)
    content = b"id,x\n" + b"1,2\n" * ((MAX_BODY_BYTES >> 2) + 1000)
    query = json.dumps({"namespace": "ns", "table_name": "big", "head": 1})
    response = client.post(f"/v1/data/upload?{query}", data={"file": (io.BytesIO(content), "big.csv")})
    assert response.get_json()["data"]["count"] == len(content) > MAX_BODY_BYTES


def test_the_upload_conf_in_the_query_string(client: Any, fake: FakeFlow) -> None:
    bad_text = '{"namespace": "\\ud800", "table_name": "t"}'
    response = client.post(f"/v1/data/upload?{bad_text}", data={"file": (io.BytesIO(b"id\n1\n"), "t.csv")})
    assert refusal(response) == "the field namespace has text that is not valid Unicode"
    deep = '{"namespace": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(f"/v1/data/upload?{deep}", data={"file": (io.BytesIO(b"id\n1\n"), "t.csv")})
    assert refusal(response) == "the upload conf in the query string is nested more than 64 levels deep"
    long_name = json.dumps({"namespace": "n" * 4097, "table_name": "t"})
    response = client.post(f"/v1/data/upload?{long_name}", data={"file": (io.BytesIO(b"id\n1\n"), "t.csv")})
    assert refusal(response) == "namespace is longer than 4096 characters"
    response = client.post('/v1/data/upload?{"namespace": "n", "table_name": "t", "partition": "²"}',
                           data={"file": (io.BytesIO(b"id\n1\n"), "t.csv")})
    assert refusal(response) == "partition must be an integer"
    assert not fake.calls
