"""Model versions kept in Redis, where FATE's store/restore confs put them (`store_address.storage: "redis"`).

Each party model version is one key, `fate_runtime:model:<model_id>:<model_version>:<role>:<party_id>`, holding
its archive; the identifiers are checked and none of them can hold a ':', so two parties or versions never
share a key. Whatever goes wrong talking to the server becomes one RepositoryError naming host:port.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import Any, Iterator, cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from fate_runtime.identifiers import shown
from fate_runtime.models.refs import ModelRef
from fate_runtime.models.repository import ModelRepository, RepositoryError

KEY_PREFIX = "fate_runtime:model"
TIMEOUT_S = 10.0
_FIELDS = ("storage", "host", "port", "password", "db")

log = logging.getLogger("fate_flow.models")


@dataclasses.dataclass(frozen=True)
class RedisAddress:
    host: str
    port: int
    password: str | None
    db: int

    @classmethod
    def of(cls, store_address: dict[str, Any]) -> RedisAddress:
        """FATE's store_address {"storage": "redis", "host", "port", "password", "db"}, each field checked."""
        unknown = sorted(set(store_address) - set(_FIELDS))
        if unknown:
            raise RepositoryError(f"store_address has fields this node does not use: {', '.join(unknown)}")
        host = store_address.get("host")
        if not isinstance(host, str) or not host or len(host) > 253 or any(c.isspace() for c in host):
            raise RepositoryError(f"store_address.host {shown(host)} is not a host name or address")
        password = store_address.get("password")
        if password is not None and not isinstance(password, str):
            raise RepositoryError("store_address.password is not text")
        return cls(host, _number(store_address, "port", 6379, 1, 65535), password or None,
                   _number(store_address, "db", 0, 0, 1_000_000))

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def _number(store_address: dict[str, Any], field: str, default: int, low: int, high: int) -> int:
    value = store_address.get(field, default)
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdecimal() or not low <= int(text) <= high:
        raise RepositoryError(f"store_address.{field} {shown(value)} is not a number from {low} to {high}")
    return int(text)


class RedisRepository(ModelRepository):
    def __init__(self, address: RedisAddress, timeout_s: float = TIMEOUT_S) -> None:
        self._address = address
        self._timeout_s = timeout_s
        # no retries: a refused password or a port with nothing behind it is reported at once, not after backoffs
        self._client = redis.Redis(host=address.host, port=address.port, password=address.password, db=address.db,
                                   socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                   retry=Retry(NoBackoff(), 0))

    def __str__(self) -> str:
        return f"the Redis server at {self._address} (db {self._address.db})"

    def close(self) -> None:
        self._client.close()

    @staticmethod
    def key(ref: ModelRef) -> str:
        return ":".join((KEY_PREFIX, ref.model_id, ref.model_version, ref.role, ref.party_id))

    def _write(self, ref: ModelRef, archive: bytes) -> None:
        with self._talking():
            self._client.set(self.key(ref), archive)

    def _read(self, ref: ModelRef) -> bytes | None:
        with self._talking():
            return cast("bytes | None", self._client.get(self.key(ref)))  # replies are bytes: no decode_responses

    def _has(self, ref: ModelRef) -> bool:
        with self._talking():
            return bool(self._client.exists(self.key(ref)))

    @contextlib.contextmanager
    def _talking(self) -> Iterator[None]:
        """Redis' errors as one sentence naming the server (the original goes to the log)."""
        try:
            yield
        except redis.RedisError as exc:
            sentence = self._sentence(exc)
            log.warning("%s", sentence, exc_info=exc)
            raise RepositoryError(sentence) from None

    def _sentence(self, exc: redis.RedisError) -> str:
        where = f"the Redis server at {self._address}"
        if isinstance(exc, redis.AuthenticationError):
            return f"{where} refused the password in store_address"
        if isinstance(exc, redis.TimeoutError):
            return f"{where} did not answer within {self._timeout_s:g} s"
        if isinstance(exc, redis.ConnectionError):
            return f"cannot connect to {where}: {_reason(exc)}"
        return f"{where} refused the request: {str(exc)[:200]}"


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ConnectionRefusedError):
        return "nothing listens there"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return "the connection failed"
