"""Which backend runs a party's tasks: the node's `computing` and `spark` settings and FATE's job_parameters.backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fate_runtime import ConfigError, NodeConfig
from fate_runtime.computing import LMDB, SPARK, party_backend, requested_backend
from fate_runtime.errors import BadRequest
from fate_runtime.node_runtime import NodeRuntime
from flow_api.server_main import _parser, _settings


def config(tmp_path: Path, **settings: Any) -> NodeConfig:
    return NodeConfig.from_settings({"data_dir": str(tmp_path / "data"), "base_dir": str(tmp_path), **settings})


def test_a_node_computes_on_lmdb_unless_told_otherwise(tmp_path: Path) -> None:
    node = config(tmp_path)
    assert (node.computing, node.spark) == (LMDB, {})


def test_spark_settings_are_checked_and_the_storage_dir_made_absolute(tmp_path: Path) -> None:
    node = config(tmp_path, computing="spark", spark={"storage_dir": "spark-tables", "executor_memory": "2g"})
    assert node.spark == {"storage_dir": os.path.join(str(tmp_path), "spark-tables"), "master": "local[2]",
                          "executor_memory": "2g"}


@pytest.mark.parametrize("settings, message", [
    ({"computing": "eggroll"}, 'computing must be "lmdb" or "spark", got \'eggroll\''),
    ({"computing": "spark"}, 'computing "spark" needs spark settings (at least spark.storage_dir)'),
    ({"spark": {"master": "yarn", "storage_dir": "d"}},
     "spark.master must be local, local[N], local[*] or spark://HOST:PORT, got 'yarn'"),
    ({"spark": {"master": "local[2]"}},
     "spark.storage_dir must be the path of a directory every Spark executor can read"),
    ({"spark": {"storage_dir": "hdfs://nn/x"}},
     "spark.storage_dir hdfs://nn/x is a URL; give a path every executor mounts (a local or NFS directory)"),
    ({"spark": {"storage_dir": "d", "executor_cores": 0}}, "spark.executor_cores must be a positive integer, got 0"),
    ({"spark": {"storage_dir": "d", "executor_memory": "lots"}},
     "spark.executor_memory must be a size such as 2g or 512m, got 'lots'"),
    ({"spark": {"storage_dir": "d", "driver": "x"}},
     "unknown spark setting 'driver' (known: master, storage_dir, executor_memory, executor_cores, cores_max, "
     "python)"),
    ({"spark": {"storage_dir": "d", "cores_max": "2"}}, "spark.cores_max must be a positive integer, got '2'"),
    ({"spark": "local"}, "spark must be an object of settings, got 'local'"),
])
def test_bad_computing_settings_are_named(tmp_path: Path, settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        config(tmp_path, **settings)
    assert str(refused.value) == message


@pytest.mark.parametrize("master", ["local", "local[4]", "local[*]", "spark://127.0.0.1:7077",
                                    "spark://a.example:7077,b.example:7077"])
def test_masters_spark_accepts(tmp_path: Path, master: str) -> None:
    assert config(tmp_path, spark={"master": master, "storage_dir": "d"}).spark["master"] == master


def test_command_line_spark_options_become_settings(tmp_path: Path) -> None:
    args = _parser().parse_args(["server", "--computing", "spark", "--spark-master", "spark://127.0.0.1:7077",
                                 "--spark-storage-dir", str(tmp_path)])
    settings = _settings(args)
    assert settings["computing"] == "spark"
    assert settings["spark"] == {"master": "spark://127.0.0.1:7077", "storage_dir": str(tmp_path)}


@pytest.mark.parametrize("parameters, expected", [({}, None), ({"backend": ""}, None), ({"backend": 0}, LMDB),
                                                  ({"backend": "1"}, SPARK), ({"backend": 1}, SPARK)])
def test_job_parameters_backend(parameters: dict[str, Any], expected: str | None) -> None:
    assert requested_backend(parameters) == expected


@pytest.mark.parametrize("value", [2, -1, True, "spark", 1.5])
def test_a_backend_fate_does_not_define_is_refused(value: Any) -> None:
    with pytest.raises(BadRequest) as refused:
        requested_backend({"backend": value})
    assert str(refused.value) == (f"job_parameters.backend must be 0 (the embedded LMDB store) or 1 (Spark), "
                                  f"got {value!r}")


def test_each_party_runs_on_its_node_s_backend_unless_the_job_names_one() -> None:
    assert party_backend({}, SPARK, True, "guest", "9999") == SPARK
    assert party_backend({}, LMDB, True, "host", "10000") == LMDB
    assert party_backend({"backend": 1}, LMDB, True, "host", "10000") == SPARK
    assert party_backend({"backend": 0}, SPARK, True, "guest", "9999") == LMDB


def test_a_job_asking_for_spark_is_refused_naming_the_party_whose_node_lacks_it() -> None:
    with pytest.raises(BadRequest) as refused:
        party_backend({"backend": 1}, LMDB, False, "host", "10000")
    assert str(refused.value) == ("job_parameters.backend 1 asks for Spark, which the node of host 10000 does not "
                                  "offer (it has no spark settings)")


def test_the_node_runtime_carries_spark_settings_to_tasks(tmp_path: Path) -> None:
    spark = {"master": "local[3]", "storage_dir": str(tmp_path), "executor_cores": 2, "cores_max": 3}
    runtime = NodeRuntime(str(tmp_path), "127.0.0.1:1", "unix:x", (), True, {}, "", "", "", 1 << 20, 1, "s", "",
                          SPARK, spark)
    runtime.save()
    settings = NodeRuntime.load(str(tmp_path)).spark_settings()
    assert settings is not None
    assert (settings.master, settings.storage_dir, settings.executor_cores, settings.cores_max) == (
        "local[3]", str(tmp_path), 2, 3)
    assert NodeRuntime(str(tmp_path), "a", "b", (), True, {}, "", "", "", 1, 1, "s", "").spark_settings() is None
