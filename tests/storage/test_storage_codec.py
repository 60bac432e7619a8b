"""The value codec: exact round trips, refusals on encode, and decoding that never runs code."""

from __future__ import annotations

import collections
import dataclasses
import os
import pickle
import shlex
import subprocess
import sys
import textwrap
from typing import Any

import gmpy2
import msgpack
import numpy as np
import pytest
from hypothesis import given

from storage import CodecError, decode, encode, register_data_class
from storage.codec import decode_pairs, encode_many
from storage_strategies import codec_settings, values
from storage_testlib import Point
from strict_equality import same


@dataclasses.dataclass
class Unregistered:
    x: int


def roundtrip(value: Any) -> Any:
    return decode(encode(value))


def assert_roundtrip(value: Any) -> None:
    result = roundtrip(value)
    assert same(result, value), (value, result)


# ---- round trips ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None, True, False,
        0, 1, -1, 127, 128, -32, -33, 255, 256, 2**31, 2**32, 2**63 - 1, 2**63, 2**64 - 1,
        -(2**63), -(2**63) - 1, 2**64, -(2**64), 2**64 + 1, 10**40, -(10**40), 3**500, -(7**300),
        0.0, -0.0, 1.5, -2.25, 1e308, 5e-324, float("inf"), float("-inf"), float("nan"),
        "", "plain", "unicode é 中文 🚀", "\x00nul\x00", "x" * 70000,
        b"", b"\x00\xff" * 10, bytes(range(256)),
    ],
    ids=repr,
)
def test_scalar_roundtrip(value):
    assert_roundtrip(value)


def test_bool_stays_bool_and_int_stays_int():
    assert type(roundtrip(True)) is bool
    assert type(roundtrip(1)) is int
    assert type(roundtrip(2**80)) is int
    assert roundtrip(-(2**80) - 12345) == -(2**80) - 12345


def test_big_int_boundaries():
    for bits in range(60, 140):
        for value in (2**bits - 1, 2**bits, 2**bits + 1, -(2**bits) + 1, -(2**bits), -(2**bits) - 1):
            assert roundtrip(value) == value, value


def test_containers_roundtrip():
    assert_roundtrip([1, "a", None, [2, [3, []]]])
    assert_roundtrip((1, (2, (3,)), ()))
    assert_roundtrip([(1, 2), (3, [4, (5,)])])
    assert_roundtrip({"a": 1, "b": {"c": [1, 2]}})
    assert_roundtrip({(1, "x"): {(2, (3, b"y")): "deep"}, 5: None, "k": (1,)})
    assert_roundtrip({1, "a", (2, 3), b"z", None})
    assert_roundtrip(set())
    assert_roundtrip({"s": {1, 2, 3}, "t": ({4},)})


def test_tuples_stay_tuples_and_lists_stay_lists():
    result = roundtrip({"t": (1, [2, (3,)]), (4, 5): [(6,)]})
    assert type(result["t"]) is tuple
    assert type(result["t"][1]) is list
    assert type(result["t"][1][1]) is tuple
    key = next(k for k in result if k != "t")
    assert type(key) is tuple and key == (4, 5)
    assert type(result[key][0]) is tuple


def test_subclasses_travel_as_their_base():
    ordered = collections.OrderedDict([("b", 1), ("a", 2)])
    result = roundtrip(ordered)
    assert type(result) is dict and result == {"b": 1, "a": 2}
    assert list(result) == ["b", "a"]

    class MyStr(str):
        pass

    assert type(roundtrip(MyStr("s"))) is str


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.int64).reshape(3, 4),
        np.arange(6, dtype=">i4").reshape(2, 3),
        np.linspace(-1, 1, 7, dtype=np.float32),
        np.array([np.nan, np.inf, -0.0], dtype=np.float64),
        np.array([1 + 2j, -3j], dtype=np.complex128),
        np.array([True, False, True]),
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array(["ab", "é中"], dtype="<U2"),
        np.array([b"ab", b"c"], dtype="|S2"),
        np.array(["2024-01-02", "1999-12-31"], dtype="datetime64[D]"),
        np.array(3.5),  # 0-d
        np.array(7, dtype=np.int16),  # 0-d
        np.array(b"ab"),  # 0-d
        np.zeros((0,), dtype=np.float64),
        np.zeros((0, 3), dtype=np.int32),
        np.zeros((2, 0, 4), dtype=np.uint16),
        np.arange(20, dtype=np.float64).reshape(4, 5).T,  # not C-contiguous
        np.arange(20, dtype=np.int32)[::3],  # strided
        np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)),
        np.array([(1, 2.5), (3, -1.0)], dtype=[("a", "<i4"), ("b", "<f8")]),  # structured
        np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8", (2,)), ("c", [("d", "u1")])]),  # nested fields
    ],
    ids=lambda a: f"{a.dtype.str}{a.shape}",
)
def test_numpy_array_roundtrip(array):
    result = roundtrip(array)
    assert type(result) is np.ndarray
    assert result.dtype == array.dtype
    assert result.shape == array.shape
    assert result.tobytes() == array.tobytes()
    assert result.flags.writeable  # a copy, not a view of the read-only input bytes


@pytest.mark.parametrize(
    "scalar",
    [np.int8(-5), np.uint16(65535), np.int64(-(2**63)), np.uint64(2**64 - 1), np.float16(1.5),
     np.float32(-2.5), np.float64(3.25), np.complex64(1 - 1j), np.bool_(True), np.str_("né"),
     np.bytes_(b"ab"), np.datetime64("2020-02-29", "D")],
    ids=repr,
)
def test_numpy_scalar_roundtrip(scalar):
    result = roundtrip(scalar)
    assert type(result) is type(scalar)
    assert result.dtype == scalar.dtype
    assert result.tobytes() == scalar.tobytes()


def test_numpy_float64_is_not_turned_into_float():
    # np.float64 subclasses float; it must still come back as np.float64.
    assert type(roundtrip(np.float64(1.0))) is np.float64
    assert type(roundtrip([np.float64(2.0), 2.0])[1]) is float


@pytest.mark.parametrize("value", [0, 1, -1, 2**64, -(2**200) + 3, 3**1000])
def test_mpz_roundtrip(value):
    result = roundtrip(gmpy2.mpz(value))
    assert type(result) is type(gmpy2.mpz(0))
    assert result == value


def test_registered_dataclass_roundtrip():
    point = Point(3, {"nested": (np.arange(3), Point(-1, gmpy2.mpz(2**100)))})
    result = roundtrip(point)
    assert type(result) is Point
    assert type(result.y["nested"][1]) is Point
    assert same(result, point)
    assert same(roundtrip([Point(1), {"p": Point(2, "x")}]), [Point(1), {"p": Point(2, "x")}])


def test_register_data_class_rules():
    with pytest.raises(TypeError):
        register_data_class("tests.storage.NotADataclass")(type("NotADataclass", (), {}))

    @dataclasses.dataclass
    class Other:
        x: int

    with pytest.raises(ValueError):
        register_data_class("tests.storage.Point")(Other)
    assert register_data_class("tests.storage.Point")(Point) is Point  # same class again: fine
    assert type(roundtrip(Point(1))) is Point


def test_encode_many_matches_encode():
    items = [1, "a", (1, 2), {"k": [np.float32(1)]}, 2**70]
    assert encode_many(items) == [encode(item) for item in items]


@codec_settings
@given(values)
def test_roundtrip_property(value):
    result = roundtrip(value)
    assert same(result, value), (value, result)


# ---- refusals on encode -----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        object(),
        np.array([1, "a"], dtype=object),
        np.array([None]),
        [1, 2, object()],
        {"k": (1, object())},
        {object(): 1},
        Unregistered(1),
        lambda: None,
        [{"x": {(1, lambda: 0)}}],
        complex(1, 2),
    ],
    ids=["object", "object-array", "None-array", "nested-list", "nested-tuple", "object-key",
         "unregistered-dataclass", "function", "set-member", "complex"],
)
def test_encode_refuses(value):
    with pytest.raises(CodecError):
        encode(value)
    with pytest.raises(CodecError):
        encode_many([1, value])


def test_encoder_is_clean_after_a_refusal():
    with pytest.raises(CodecError):
        encode([1, 2, 3, object()])
    assert encode([4]) == msgpack.packb([4])
    assert decode(encode({"a": (1,)})) == {"a": (1,)}


# ---- refusals on decode -----------------------------------------------------------


class _RunsCommand:
    """Pickles into bytes that would run a shell command when unpickled. Never unpickled here."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _pickle_payloads(sentinel) -> list[bytes]:
    command = f"touch {shlex.quote(str(sentinel))}"
    payloads = [pickle.dumps(_RunsCommand(command), protocol=p) for p in range(pickle.HIGHEST_PROTOCOL + 1)]
    for payload in payloads:  # the payloads really name os.system (posix.system) and the command
        assert b"system" in payload and str(sentinel).encode() in payload
    return payloads


def test_decode_refuses_pickles_and_runs_nothing(tmp_path):
    sentinel = tmp_path / "ran"
    for payload in _pickle_payloads(sentinel):
        with pytest.raises(CodecError):
            decode(payload)
        # hidden inside every extension type of the codec, too: refused, or (big-int
        # extension, whose body is any two's-complement number) read as a plain int
        for code in range(0, 10):
            try:
                result = decode(msgpack.packb(msgpack.ExtType(code, payload)))
            except CodecError:
                continue
            assert code == 1 and type(result) is int
        # as a bytes value it stays inert bytes
        assert roundtrip(payload) == payload
    assert not sentinel.exists()


def test_decode_refuses_unregistered_dataclass_names_and_runs_nothing(tmp_path):
    sentinel = tmp_path / "ran"
    command = f"touch {shlex.quote(str(sentinel))}"
    for name, fields in [
        ("os.system", {"command": command}),
        ("posix.system", {"command": command}),
        ("builtins.eval", {"source": f"__import__('os').system({command!r})"}),
        ("subprocess.Popen", {"args": command, "shell": True}),
        ("test_storage_codec.Unregistered", {"x": 1}),
        ("Point", {"x": 1}),
    ]:
        data = msgpack.packb(msgpack.ExtType(5, msgpack.packb([name, fields])))
        with pytest.raises(CodecError):
            decode(data)
    assert not sentinel.exists()


def test_decode_refuses_malformed_dataclass_payloads():
    for payload in [
        ["tests.storage.Point", {"z": 1}],  # unknown field
        ["tests.storage.Point", {}],  # missing field
        ["tests.storage.Point", [1, 2]],  # fields not a dict
        [["tests.storage.Point"], {"x": 1}],  # name not a string
        ["tests.storage.Point"],
    ]:
        with pytest.raises(CodecError):
            decode(msgpack.packb(msgpack.ExtType(5, msgpack.packb(payload))))


def test_decode_refuses_truncated_bytes():
    data = encode({"k": [1, 2**80, (b"xy", 2.5)], "a": np.arange(6).reshape(2, 3), "p": Point(1, {2})})
    assert len(data) > 20
    for cut in range(len(data)):
        with pytest.raises(CodecError):
            decode(data[:cut])


def test_decode_refuses_trailing_bytes():
    with pytest.raises(CodecError):
        decode(encode(1) + encode(2))


@pytest.mark.parametrize("code", [0, 8, 9, 42, 100, 127, -2, -50, -128])
def test_decode_refuses_unknown_extension_codes(code):
    data = b"\xd5" + code.to_bytes(1, "big", signed=True) + b"\x01\x02"  # fixext 2
    with pytest.raises(CodecError):
        decode(data)
    with pytest.raises(CodecError):
        decode(b"\x92\x01" + data)  # inside a list


def _ext(code: int, body: bytes) -> bytes:
    return msgpack.packb(msgpack.ExtType(code, body))


@pytest.mark.parametrize(
    "body",
    [
        msgpack.packb(["|O", [2]]) + b"\x00" * 16,  # object dtype
        msgpack.packb(["<O", [1]]) + b"\x00" * 8,
        msgpack.packb(["(2,)O", [1]]) + b"\x00" * 16,  # object sub-array
        msgpack.packb([[["a", "|O"]], [1]]) + b"\x00" * 8,  # dtype not a string
        msgpack.packb(["<f8", [3]]) + b"\x00" * 23,  # too short
        msgpack.packb(["<f8", [3]]) + b"\x00" * 25,  # too long
        msgpack.packb(["<f8", []]) + b"",  # 0-d without its item
        msgpack.packb(["<i4", [2, 2]]) + b"\x00" * 8,
        msgpack.packb(["<i4", [-1]]) + b"\x00" * 4,  # negative dimension
        msgpack.packb(["<i4", "4"]) + b"\x00" * 16,  # shape not a list
        msgpack.packb(["<i4", [1.5]]) + b"\x00" * 4,
        msgpack.packb(["not-a-dtype", [1]]) + b"\x00" * 8,
        msgpack.packb(["<f8"]),
        b"",
    ],
)
def test_decode_refuses_malformed_numpy_arrays(body):
    with pytest.raises(CodecError):
        decode(_ext(3, body))


@pytest.mark.parametrize(
    "body",
    [
        msgpack.packb(["|O", b"\x00" * 8]),
        msgpack.packb(["<f8", b"\x00" * 7]),
        msgpack.packb(["<f8", b"\x00" * 9]),
        msgpack.packb(["<f8", "12345678"]),
        msgpack.packb(["nope", b"\x00"]),
        msgpack.packb([1]),
    ],
)
def test_decode_refuses_malformed_numpy_scalars(body):
    with pytest.raises(CodecError):
        decode(_ext(4, body))


def test_decode_refuses_non_bytes_garbage():
    for data in [b"", b"\xc1", b"\xc4", b"\xc7\x01\x02", b"\x92\x01", b"\xdc\xff\xff"]:
        with pytest.raises(CodecError):
            decode(data)


def test_decode_of_all_single_extension_headers_never_raises_anything_but_codec_error():
    # Every extension code with a few short bodies: the only failure allowed is CodecError.
    bodies = [b"", b"\x00", b"\x90", b"\x91\xc0", b"\x92\xa1x\x90", b"\x80", msgpack.packb(["<f8", [1]]) + b"\x00" * 8]
    for code in range(0, 128):
        for body in bodies:
            try:
                decode(_ext(code, body))
            except CodecError:
                pass


# ---- malformed and hostile input ------------------------------------------------------------


@pytest.mark.parametrize("descr", [",", "8 2<0", "(2,", "i4,", "[('a'", "{}", "O8"])
def test_decode_refuses_unparsable_dtype_strings(descr):
    # numpy's dtype parser raises TypeError, ValueError or SyntaxError: all must become CodecError
    with pytest.raises(CodecError):
        decode(_ext(3, msgpack.packb([descr, [1]]) + b"\x00" * 8))
    with pytest.raises(CodecError):
        decode(_ext(4, msgpack.packb([descr, b"\x00" * 8])))


def test_structured_numpy_values_keep_their_fields():
    array = np.array([(1, 2.5), (3, -1.0)], dtype=[("a", "<i4"), ("b", "<f8")])
    result = roundtrip(array)
    assert result.dtype.names == ("a", "b")
    assert result["b"].tolist() == [2.5, -1.0]
    scalar = roundtrip(array[1])
    assert type(scalar) is np.void and scalar.dtype == array.dtype and scalar["a"] == 3


def test_moderate_nesting_roundtrips():
    value: Any = "leaf"
    for depth in range(30):
        value = (value, depth) if depth % 2 else [{depth: value}]
    assert_roundtrip(value)
    value = 0
    for _ in range(30):
        value = (value,)
    assert_roundtrip(value)


def test_encode_of_too_deep_nesting_raises_codec_error():
    for wrap in (lambda v: (v,), lambda v: [v], lambda v: {"k": v}, lambda v: [(v,)]):
        value: Any = 0
        for _ in range(5000):
            value = wrap(value)
        with pytest.raises(CodecError):
            encode(value)
    assert encode(1) == msgpack.packb(1)  # the encoder is fine afterwards


_DEEP_DECODE = textwrap.dedent(
    """
    import msgpack, sys
    from storage import CodecError, decode
    code, depth = int(sys.argv[1]), int(sys.argv[2])
    data = b"\\xc0"
    for _ in range(depth):
        data = msgpack.packb(msgpack.ExtType(code, b"\\x91" + data))  # ext(code, [inner])
    try:
        decode(data)
    except CodecError:
        print("refused")
    else:
        print("decoded")
    """
)


@pytest.mark.parametrize("code,depth", [(2, 2000), (2, 300), (6, 2000)], ids=["tuples-2000", "tuples-300", "sets-2000"])
def test_decode_of_deeply_nested_extensions_is_refused_without_crashing(code, depth):
    # In a subprocess: decoding nested extensions recursed on the C stack and killed the
    # interpreter (segfault) at a few hundred levels - a few hundred bytes of hostile input.
    proc = subprocess.run([sys.executable, "-c", _DEEP_DECODE, str(code), str(depth)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"decoder process died with {proc.returncode}: {proc.stderr[-500:]}"
    assert proc.stdout.strip() == "refused"


@pytest.mark.parametrize(
    "shape, body, words",
    [
        ([2**62, 2**62], b"", "too large"),
        ([2**64], b"", "too large"),
        ([2**100, 2**100], b"", "too large"),
        ([0, 2**70], b"", "too large"),
        ([2**62, 4], b"", "too large"),  # its byte count wraps around in 64 bits
        ([2**63 - 1, 0], b"", "too large"),
        ([1] * 33, b"\x00" * 8, "33 dimensions"),
        ([1] * 100_000, b"\x00" * 8, "100000 dimensions"),
        ([True, 2], b"\x00" * 16, "shape"),
    ],
)
def test_decode_refuses_absurd_numpy_shapes_with_its_own_error(shape, body, words):
    data = _ext(3, encode(["<f8", shape]) + body)  # sizes of 2**64 and more travel as the codec's big ints
    with pytest.raises(CodecError, match=words):
        decode(data)
    with pytest.raises(CodecError, match=words):
        decode_pairs([(encode(1), data)])


def test_decode_refuses_numpy_arrays_of_a_zero_size_dtype():
    for descr in ("|V0", []):
        with pytest.raises(CodecError, match="zero-size"):
            decode(_ext(3, msgpack.packb([descr, [2**40]])))


def test_numpy_arrays_it_cannot_decode_are_not_encoded():
    with pytest.raises(CodecError, match="dimensions"):
        encode(np.zeros([1] * 33))
    with pytest.raises(CodecError, match="zero-size"):
        encode(np.zeros(3, dtype=[]))
    assert decode(encode(np.zeros([1] * 32))).shape == (1,) * 32
    assert decode(encode(np.zeros((0, 2**40)))).shape == (0, 2**40)
