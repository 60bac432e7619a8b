"""The one value codec of the project: msgpack plus a closed set of extension types.

Every key and value written to a table, and every object that crosses between parties,
goes through `encode`/`decode`. Decoding can only build data - numbers, strings, bytes,
lists, tuples, sets, dicts, numpy arrays and scalars, big integers, gmpy2 integers and
classes registered with `register_data_class` - never run code, unlike `pickle`.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, TypeVar

import gmpy2
import msgpack
import numpy as np

__all__ = ["encode", "decode", "decode_pairs", "encode_many", "encode_pairs", "register_data_class", "CodecError"]

_EXT_BIGINT = 1
_EXT_TUPLE = 2
_EXT_NDARRAY = 3
_EXT_NPSCALAR = 4
_EXT_DATACLASS = 5
_EXT_SET = 6
_EXT_MPZ = 7

_MPZ_TYPE = type(gmpy2.mpz(0))
_MAX_NESTING = 32  # extension values (tuples, sets, data classes) inside one another
_MAX_NDIM = 32  # numpy 1's limit (numpy 2 allows 64): every version can decode what is encoded

T = TypeVar("T")


class CodecError(ValueError):
    """Raised when bytes are not a value this codec produced, or a value cannot be encoded."""


_thread_state = threading.local()
_registry_by_name: dict[str, type] = {}
_registry_by_type: dict[type, str] = {}


def register_data_class(name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: let instances of this dataclass travel through the codec as `name`."""

    def decorate(cls: type[T]) -> type[T]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass to be registered")
        known = _registry_by_name.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"data class name {name!r} is already registered")
        _registry_by_name[name] = cls
        _registry_by_type[cls] = name
        return cls

    return decorate


def registered_modules() -> list[str]:
    """The importable modules that registered data classes (for worker processes to import)."""
    modules = {cls.__module__ for cls in _registry_by_type}
    return sorted(m for m in modules if m not in ("__main__", "__mp_main__"))


@contextmanager
def _nested() -> Iterator[None]:
    depth = getattr(_thread_state, "depth", 0)
    if depth >= _MAX_NESTING:
        raise CodecError("value is nested too deeply")
    _thread_state.depth = depth + 1
    try:
        yield
    finally:
        _thread_state.depth = depth


def _signed_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)


def _dtype_description(dtype: np.dtype) -> Any:
    """dtype.str, or the field list of a structured dtype (whose str would lose the fields)."""
    return dtype.descr if dtype.fields is not None else dtype.str


def _ndarray_ext(array: np.ndarray) -> msgpack.ExtType:
    if array.dtype.hasobject:
        raise CodecError("numpy arrays of Python objects cannot be encoded")
    if array.ndim > _MAX_NDIM:
        raise CodecError(f"numpy arrays of more than {_MAX_NDIM} dimensions cannot be encoded")
    if array.dtype.itemsize == 0:
        raise CodecError("numpy arrays of a zero-size dtype cannot be encoded")
    header = _pack([_dtype_description(array.dtype), list(array.shape)])
    return msgpack.ExtType(_EXT_NDARRAY, header + array.tobytes(order="C"))


def _set_payload(items: Any) -> bytes:
    """Elements in the order of their encoded bytes: equal sets encode alike in every process."""
    encoded = sorted(_pack(item) for item in items)
    return msgpack.Packer().pack_array_header(len(encoded)) + b"".join(encoded)


def _default(obj: Any) -> msgpack.ExtType:
    with _nested():
        return _extension(obj)


def _extension(obj: Any) -> msgpack.ExtType:
    if isinstance(obj, tuple):
        return msgpack.ExtType(_EXT_TUPLE, _pack(list(obj)))
    if isinstance(obj, _MPZ_TYPE):
        return msgpack.ExtType(_EXT_MPZ, gmpy2.to_binary(obj))
    if isinstance(obj, int):
        return msgpack.ExtType(_EXT_BIGINT, _signed_bytes(int(obj)))
    if isinstance(obj, np.ndarray):
        return _ndarray_ext(obj)
    if isinstance(obj, np.generic):
        return msgpack.ExtType(_EXT_NPSCALAR, _pack([_dtype_description(obj.dtype), obj.tobytes()]))
    if isinstance(obj, (set, frozenset)):
        return msgpack.ExtType(_EXT_SET, _set_payload(obj))
    name = _registry_by_type.get(type(obj))
    if name is not None:
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        return msgpack.ExtType(_EXT_DATACLASS, _pack([name, fields]))
    if isinstance(obj, dict):
        return dict(obj)  # dict subclasses travel as plain dicts
    if isinstance(obj, list):
        return list(obj)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, float):
        return float(obj)
    raise CodecError(f"values of type {type(obj).__name__} cannot be encoded")


def _checked_dtype(descr: Any) -> np.dtype:
    if not isinstance(descr, (str, list)):
        raise CodecError("malformed numpy dtype")
    try:
        dtype = np.dtype(descr)
    except Exception as exc:  # numpy's dtype parser raises several kinds of error
        raise CodecError("malformed numpy dtype") from exc
    if dtype.hasobject:
        raise CodecError("numpy arrays of Python objects are refused")
    return dtype


def _checked_shape(shape: Any, dtype: np.dtype) -> list[int]:
    """A shape numpy can build for `dtype`: at most _MAX_NDIM sizes, whose bytes fit in memory's address space."""
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        raise CodecError("malformed numpy shape")
    if len(shape) > _MAX_NDIM:
        raise CodecError(f"numpy array has {len(shape)} dimensions, more than {_MAX_NDIM}")
    if dtype.itemsize == 0:
        raise CodecError("numpy arrays of a zero-size dtype are refused")
    if math.prod(d for d in shape if d) * dtype.itemsize > sys.maxsize:
        raise CodecError("numpy array shape is too large")
    return shape


def _decode_ndarray(data: bytes) -> np.ndarray:
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, ext_hook=_ext_hook,
                                max_buffer_size=max(len(data), 1))
    unpacker.feed(data)
    descr, shape = unpacker.unpack()
    dtype = _checked_dtype(descr)
    shape = _checked_shape(shape, dtype)
    body = memoryview(data)[unpacker.tell():]
    if len(body) != math.prod(shape) * dtype.itemsize:
        raise CodecError("numpy array length does not match its shape")
    return np.frombuffer(body, dtype=dtype).reshape(shape).copy()


def _decode_dataclass(data: bytes) -> Any:
    name, fields = _unpack(data)
    cls = _registry_by_name.get(name)
    if cls is None or not isinstance(fields, dict):
        raise CodecError(f"unknown data class {name!r}")
    return cls(**fields)


def _ext_hook(code: int, data: bytes) -> Any:
    with _nested():
        return _decode_extension(code, data)


def _decode_extension(code: int, data: bytes) -> Any:
    if code == _EXT_TUPLE:
        return tuple(_unpack(data))
    if code == _EXT_BIGINT:
        return int.from_bytes(data, "big", signed=True)
    if code == _EXT_MPZ:
        return gmpy2.from_binary(data)
    if code == _EXT_NDARRAY:
        return _decode_ndarray(data)
    if code == _EXT_NPSCALAR:
        descr, raw = _unpack(data)
        dtype = _checked_dtype(descr)
        if not isinstance(raw, bytes) or len(raw) != dtype.itemsize:
            raise CodecError("malformed numpy scalar")
        return np.frombuffer(raw, dtype=dtype)[0]
    if code == _EXT_SET:
        return set(_unpack(data))
    if code == _EXT_DATACLASS:
        return _decode_dataclass(data)
    raise CodecError(f"unknown extension type {code}")


def _new_packer() -> msgpack.Packer:
    return msgpack.Packer(default=_default, use_bin_type=True, strict_types=True, autoreset=True)


def _pack(obj: Any) -> bytes:
    return msgpack.packb(obj, default=_default, use_bin_type=True, strict_types=True)


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, strict_map_key=False)


def encode(obj: Any) -> bytes:
    """Encode one value to bytes."""
    packer = getattr(_thread_state, "packer", None)
    if packer is None:
        packer = _thread_state.packer = _new_packer()
    try:
        return packer.pack(obj)
    except CodecError:
        packer.reset()
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        packer.reset()
        raise CodecError(f"value cannot be encoded: {exc}") from exc


def encode_many(objs: Iterable[Any]) -> list[bytes]:
    """Encode many values at once (one packer, no per-call set-up)."""
    pack = _new_packer().pack
    try:
        return [pack(obj) for obj in objs]
    except CodecError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        raise CodecError(f"value cannot be encoded: {exc}") from exc


def encode_pairs(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[bytes, bytes]]:
    """Encode (key, value) pairs at once."""
    pack = _new_packer().pack
    try:
        return [(pack(key), pack(value)) for key, value in pairs]
    except CodecError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        raise CodecError(f"value cannot be encoded: {exc}") from exc


def decode_pairs(pairs: Iterable[tuple[bytes, bytes]]) -> list[tuple[Any, Any]]:
    """Decode many (key, value) pairs of bytes at once."""
    unpack = msgpack.unpackb
    hook = _ext_hook
    try:
        return [(unpack(key, ext_hook=hook, raw=False, strict_map_key=False),
                 unpack(value, ext_hook=hook, raw=False, strict_map_key=False)) for key, value in pairs]
    except CodecError:
        raise
    except (ValueError, TypeError, msgpack.UnpackException, KeyError) as exc:
        raise CodecError("bytes are not a value of this codec") from exc


def decode(data: bytes) -> Any:
    """Decode bytes produced by `encode`; anything else raises CodecError."""
    try:
        return _unpack(data)
    except CodecError:
        raise
    except (ValueError, TypeError, msgpack.UnpackException, KeyError) as exc:
        raise CodecError("bytes are not a value of this codec") from exc
