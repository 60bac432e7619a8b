"""The settings a Spark backend starts with (importable without pyspark)."""

from __future__ import annotations

import dataclasses
import sys


@dataclasses.dataclass(frozen=True)
class SparkSettings:
    """`spark.master` (local[N] or spark://host:port), `spark.storage_dir` and engine settings."""

    storage_dir: str
    master: str = "local[2]"
    app_name: str = "fate-runtime"
    python: str = sys.executable  # the executors' Python: one with this project installed
    shuffle_partitions: int = 4
    executor_memory: str | None = None
    executor_cores: int | None = None
    cores_max: int | None = None  # the most cores one application (one task) takes on a standalone cluster
