"""Node settings: defaults, a JSON conf file, command-line overrides, and their checks."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
from typing import Any

from fate_runtime.errors import ConfigError
from federation import FederationError, TlsConfig, parse_route
from fate_runtime.computing import LMDB, SPARK, checked_spark_settings
from storage import DEFAULT_MAP_SIZE

STANDALONE = 0
CLUSTER = 1

_PRINTABLE_ASCII = re.compile(r"[!-~]+")


@dataclasses.dataclass(frozen=True)
class NodeConfig:
    """Everything a node needs to start."""

    data_dir: str = "fate_flow_data"
    host: str = "127.0.0.1"
    grpc_port: int = 9360
    http_port: int = 9380
    base_dir: str = ""
    allow_dirs: tuple[str, ...] = ()
    work_mode: int = STANDALONE
    map_size: int = DEFAULT_MAP_SIZE
    workers: int = 0
    max_jobs: int = 4
    party_ids: tuple[str, ...] = ()
    routes: dict[str, str] | list[str] = dataclasses.field(default_factory=dict)
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""
    rest_host: str = "127.0.0.1"
    rest_https: bool = False
    http_app_key: str = ""
    http_secret_key: str = dataclasses.field(default="", repr=False)  # never in a log line
    computing: str = LMDB  # the backend of jobs and uploads that do not choose one: "lmdb" or "spark"
    spark: dict[str, Any] = dataclasses.field(default_factory=dict)  # master, storage_dir, executor_memory, ...

    def __post_init__(self) -> None:
        self._check_types()
        base = os.path.abspath(self.base_dir or os.getcwd())
        object.__setattr__(self, "base_dir", base)
        object.__setattr__(self, "data_dir", os.path.abspath(os.path.join(base, self.data_dir)))
        allowed = tuple(os.path.abspath(os.path.join(base, d)) for d in self.allow_dirs)
        object.__setattr__(self, "allow_dirs", allowed)
        for name in ("grpc_port", "http_port"):
            port = getattr(self, name)
            if not isinstance(port, int) or not 0 <= port <= 65535:
                raise ConfigError(f"{name} must be a port number between 0 and 65535, got {port!r}")
        if self.work_mode not in (STANDALONE, CLUSTER):
            raise ConfigError(f"work_mode must be 0 (standalone) or 1 (cluster), got {self.work_mode!r}")
        if not isinstance(self.map_size, int) or self.map_size < 1 << 16:
            raise ConfigError("map_size must be an integer of at least 65536 bytes")
        for directory in allowed:
            if not os.path.isdir(directory):
                raise ConfigError(f"allowed directory {directory} does not exist")
        self._check_federation(base)
        self._check_rest()
        self._check_computing(base)

    def _check_computing(self, base: str) -> None:
        """`computing` names a backend this node has; `spark` settings are complete (paths made absolute)."""
        if self.computing not in (LMDB, SPARK):
            raise ConfigError(f"computing must be \"lmdb\" or \"spark\", got {self.computing!r}")
        if self.spark:
            object.__setattr__(self, "spark", checked_spark_settings(self.spark, base))
        elif self.computing == SPARK:
            raise ConfigError("computing \"spark\" needs spark settings (at least spark.storage_dir)")

    def _check_rest(self) -> None:
        """FATE's signature keys come in pairs and are required beyond loopback; HTTPS needs a certificate."""
        keys = (self.http_app_key, self.http_secret_key)
        for name, key in zip(("http_app_key", "http_secret_key"), keys):
            if key and not _PRINTABLE_ASCII.fullmatch(key):
                raise ConfigError(f"{name} must be printable ASCII without spaces (FATE's clients send it so)")
        if any(keys) and not all(keys):
            raise ConfigError("REST authentication needs both http_app_key and http_secret_key "
                              "(--app-key, --secret-key)")
        if not all(keys) and not is_loopback(self.rest_host):
            raise ConfigError(f"the REST layer on {self.rest_host} is reachable beyond this machine, so it needs "
                              "http_app_key and http_secret_key in the conf file (or --app-key and --secret-key)")
        if self.rest_https and not (self.tls_cert and self.tls_key):
            raise ConfigError("rest_https needs the node's certificate and key (--tls-cert, --tls-key)")

    def _check_federation(self, base: str) -> None:
        object.__setattr__(self, "party_ids", tuple(str(p) for p in self.party_ids))
        if self.work_mode == CLUSTER and not self.party_ids:
            raise ConfigError("a cluster node needs at least one party id (--party-id)")
        given = self.routes.items() if isinstance(self.routes, dict) else (("", r) for r in self.routes)
        routes: dict[str, str] = {}
        for party, address in given:
            try:
                routes.update([parse_route(f"{party}={address}" if party else str(address))])
            except FederationError as exc:
                raise ConfigError(str(exc)) from None
        object.__setattr__(self, "routes", routes)
        tls = (self.tls_cert, self.tls_key, self.tls_ca)
        if any(tls) and not all(tls):
            raise ConfigError("TLS needs all three of --tls-cert, --tls-key and --tls-ca")
        if all(tls) and not self.party_ids:
            raise ConfigError("TLS needs --party-id: the party id this node's certificate names")
        for name in ("tls_cert", "tls_key", "tls_ca"):
            path = getattr(self, name)
            if path:
                path = os.path.abspath(os.path.join(base, path))
                if not os.path.isfile(path):
                    raise ConfigError(f"{name} file {path} does not exist")
                object.__setattr__(self, name, path)

    @property
    def tls(self) -> TlsConfig | None:
        return TlsConfig(self.tls_cert, self.tls_key, self.tls_ca) if self.tls_cert else None

    @property
    def local_parties(self) -> frozenset[str] | None:
        """The party ids this node serves; None in standalone mode, where it serves every party."""
        return None if self.work_mode == STANDALONE else frozenset(self.party_ids)

    def _check_types(self) -> None:
        """Refuse settings of the wrong type (as a conf file may give them) before they are used."""
        for name in ("data_dir", "host", "base_dir", "rest_host"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise ConfigError(f"{name} must be a string, got {value!r}")
        if not isinstance(self.party_ids, (list, tuple)) or not all(isinstance(p, (str, int)) for p in self.party_ids):
            raise ConfigError(f"party_ids must be a list of party ids, got {self.party_ids!r}")
        if not isinstance(self.routes, (dict, list, tuple)):
            raise ConfigError(f"routes must map party ids to HOST:PORT addresses, got {self.routes!r}")
        for name in ("tls_cert", "tls_key", "tls_ca"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name} must be a file path")
        for name in ("http_app_key", "http_secret_key"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name} must be a string")  # (its value is not repeated: it may be a secret)
        if not isinstance(self.allow_dirs, (list, tuple)) or not all(isinstance(d, str) for d in self.allow_dirs):
            raise ConfigError(f"allow_dirs must be a list of directory paths, got {self.allow_dirs!r}")
        if not isinstance(self.rest_https, bool):
            raise ConfigError(f"rest_https must be true or false, got {self.rest_https!r}")
        if isinstance(self.max_jobs, bool) or not isinstance(self.max_jobs, int) or self.max_jobs < 1:
            raise ConfigError(f"max_jobs must be a positive integer, got {self.max_jobs!r}")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise ConfigError(f"workers must be 0 (one per CPU) or a positive integer, got {self.workers!r}")

    @property
    def route_map(self) -> dict[str, str]:
        """The routes, party id -> address (given as an object or a list of PARTY=ADDRESS, kept as an object)."""
        assert isinstance(self.routes, dict)  # __post_init__ made it one
        return dict(self.routes)

    @property
    def readable_dirs(self) -> tuple[str, ...]:
        """Directories whose files upload may read and download may write."""
        return (self.base_dir, *self.allow_dirs)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "NodeConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}")
        values = dict(settings)
        if isinstance(values.get("party_ids"), list):
            values["party_ids"] = tuple(values["party_ids"])
        if isinstance(values.get("allow_dirs"), list):
            # (a bare string is refused by the type check: tuple("/") would allow every path)
            values["allow_dirs"] = tuple(values["allow_dirs"])
        return cls(**values)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_conf_file(path: str) -> dict[str, Any]:
    """The settings in a JSON conf file (same names as the command-line options)."""
    try:
        with open(path) as src:
            settings = json.load(src)
    except FileNotFoundError:
        raise ConfigError(f"conf file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"conf file {path} is not valid JSON (line {exc.lineno})") from None
    if not isinstance(settings, dict):
        raise ConfigError(f"conf file {path} must hold a JSON object")
    if settings.pop("standalone", False):
        settings["work_mode"] = STANDALONE
    return settings
