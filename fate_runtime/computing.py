"""Which computing backend runs a party's part of a job: the node's settings and FATE's `job_parameters.backend`.

FATE's `backend` is 0 (its eggroll: here the embedded LMDB store) or 1 (Spark). A job that names no backend
runs each party on its node's `computing` setting; a job that names one runs every party on it, and is refused
at submit if a party's node does not offer it.
"""

from __future__ import annotations

import os
import re
from typing import Any

from fate_runtime.errors import BadRequest, ConfigError

LMDB = "lmdb"
SPARK = "spark"
_BACKENDS = {0: LMDB, 1: SPARK}

_SPARK_KEYS = ("master", "storage_dir", "executor_memory", "executor_cores", "cores_max", "python")
_MASTER = re.compile(r"local(\[(\d+|\*)\])?|spark://[A-Za-z0-9.\-]+:\d{1,5}(,[A-Za-z0-9.\-]+:\d{1,5})*")
_MEMORY = re.compile(r"\d+[kmgt]?", re.IGNORECASE)


def requested_backend(job_parameters: dict[str, Any]) -> str | None:
    """The backend `job_parameters.backend` asks for ("lmdb" or "spark"), or None if it names none."""
    value = job_parameters.get("backend")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).strip().isdecimal() or int(value) not in _BACKENDS:
        raise BadRequest(f"job_parameters.backend must be 0 (the embedded LMDB store) or 1 (Spark), got {value!r}")
    return _BACKENDS[int(value)]


def party_backend(job_parameters: dict[str, Any], node_computing: str, node_has_spark: bool,
                  role: str, party_id: str) -> str:
    """The backend that runs `role` `party_id`'s tasks on a node with these settings; BadRequest naming the party
    if the job asks for Spark and the node does not offer it."""
    backend = requested_backend(job_parameters) or node_computing
    if backend == SPARK and not node_has_spark:
        raise BadRequest(f"job_parameters.backend 1 asks for Spark, which the node of {role} {party_id} "
                         "does not offer (it has no spark settings)")
    return backend


def checked_spark_settings(settings: Any, base: str) -> dict[str, Any]:
    """A node's `spark` settings, checked, with storage_dir made absolute against `base`; ConfigError otherwise."""
    if not isinstance(settings, dict):
        raise ConfigError(f"spark must be an object of settings, got {settings!r}")
    unknown = sorted(set(settings) - set(_SPARK_KEYS))
    if unknown:
        raise ConfigError(f"unknown spark setting {unknown[0]!r} (known: {', '.join(_SPARK_KEYS)})")
    checked = dict(settings)
    master = checked.setdefault("master", "local[2]")
    if not isinstance(master, str) or not _MASTER.fullmatch(master):
        raise ConfigError(f"spark.master must be local, local[N], local[*] or spark://HOST:PORT, got {master!r}")
    storage_dir = checked.get("storage_dir")
    if not isinstance(storage_dir, str) or not storage_dir:
        raise ConfigError("spark.storage_dir must be the path of a directory every Spark executor can read")
    if "://" in storage_dir and not storage_dir.startswith("file://"):
        raise ConfigError(f"spark.storage_dir {storage_dir} is a URL; give a path every executor mounts "
                          "(a local or NFS directory)")
    checked["storage_dir"] = os.path.abspath(os.path.join(base, storage_dir.removeprefix("file://")))
    memory = checked.get("executor_memory")
    if memory is not None and (not isinstance(memory, str) or not _MEMORY.fullmatch(memory)):
        raise ConfigError(f"spark.executor_memory must be a size such as 2g or 512m, got {memory!r}")
    for name in ("executor_cores", "cores_max"):
        cores = checked.get(name)
        if cores is not None and (isinstance(cores, bool) or not isinstance(cores, int) or cores < 1):
            raise ConfigError(f"spark.{name} must be a positive integer, got {cores!r}")
    python = checked.get("python")
    if python is not None and not isinstance(python, str):
        raise ConfigError(f"spark.python must be the path of the executors' Python, got {python!r}")
    return checked
