"""The one SparkContext of a process, made from the node's `spark` settings."""

from __future__ import annotations

import os
from typing import Any

from storage.spark.settings import SparkSettings

_context: Any = None


def spark_context(settings: SparkSettings) -> Any:
    """This process's SparkContext, started on first use (Spark allows one per process)."""
    global _context
    if _context is None:
        from pyspark import SparkConf, SparkContext

        os.environ["PYSPARK_PYTHON"] = settings.python  # pyspark reads the executors' Python from here
        conf = (SparkConf().setMaster(settings.master).setAppName(settings.app_name)
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.default.parallelism", str(settings.shuffle_partitions))
                .set("spark.sql.shuffle.partitions", str(settings.shuffle_partitions)))
        if settings.executor_memory:
            conf.set("spark.executor.memory", settings.executor_memory)
        if settings.executor_cores:
            conf.set("spark.executor.cores", str(settings.executor_cores))
        if settings.cores_max:  # else a standalone cluster gives one task every core, and a party's other tasks wait
            conf.set("spark.cores.max", str(settings.cores_max))
        _context = SparkContext(conf=conf)
        _context.setLogLevel("ERROR")
    return _context


def stop_spark_context() -> None:
    global _context
    if _context is not None:
        _context.stop()
        _context = None
