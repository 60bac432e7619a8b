"""The CLI's job, task and tracking functions against the app on a live HTTP server (fake node behind it)."""

from __future__ import annotations

import json
import os
import tarfile
import tempfile
import urllib.request
from http.client import IncompleteRead
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest
from flask import Flask

from flow_api import cli
from flow_api.http_client import UnsafeArchive, safe_extract
from flow_api_fakes import (Answer, FakeFlow, HttpServer, abort, data_view_rows, job_rows, message, metric, returns,
                            stream, stream_then_fail, streams, tar_gz, task_rows)
from protos import flow_pb2

CONF = {"initiator": {"role": "guest", "party_id": 9999}, "job_parameters": {"work_mode": 0},
        "role": {"guest": [9999], "host": [10000]}}
DSL = {"components": {"dataio_0": {"module": "DataIO"}}}
COMPONENT = ["-j", "j1", "-r", "guest", "-p", "9999", "-cpn", "hetero_lr_0"]


@pytest.fixture
def run(http_server: HttpServer, fake: FakeFlow, capsys: pytest.CaptureFixture[str]) -> Any:
    def run_cli(*args: str, url: str = http_server.url) -> tuple[int, dict[str, Any]]:
        code = cli.main([*args, "--server", url])
        printed = capsys.readouterr().out
        assert printed.endswith("}\n\n"), printed
        return code, json.loads(printed)
    return run_cli


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI's temporary files go here, so a test can see that none is left behind."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch


def write_json(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value))
    return str(path)


# ---- submit / stop / query / clean / data view / tasks -----------------------------------------


def test_submit_job(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["SubmitJob"] = returns(flow_pb2.SubmitJobReply(
        job_id="j1", model_id="m", model_version="j1", files=flow_pb2.JobFiles(logs_directory="/logs/j1")))
    conf, dsl = write_json(tmp_path / "conf.json", CONF), write_json(tmp_path / "dsl.json", DSL)
    code, reply = run("-f", "submit_job", "-c", conf, "-d", dsl)
    assert code == 0 and reply["jobId"] == "j1", reply
    assert reply["data"]["model_info"] == {"model_id": "m", "model_version": "j1"}
    sent = fake.last("SubmitJob")
    assert json.loads(sent.conf_json) == CONF and json.loads(sent.dsl_json) == DSL


def test_submit_job_flags(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    conf = write_json(tmp_path / "conf.json", CONF)
    assert run("-f", "submit_job", "-d", conf) == (1, {
        "retcode": 100, "retmsg": "the following arguments are required: config (-c)"})
    assert run("-f", "submit_job", "-c", conf) == (1, {
        "retcode": 100, "retmsg": "the following arguments are required: dsl (-d)"})
    assert not fake.calls
    # a predict job needs no DSL: {} is sent
    fake.answers["SubmitJob"] = returns(flow_pb2.SubmitJobReply(job_id="j2"))
    predict = write_json(tmp_path / "predict.json", {**CONF, "job_parameters": {"work_mode": 0, "job_type": "predict",
                                                                                 "model_id": "m", "model_version": "v"}})
    code, reply = run("-f", "submit_job", "-c", predict)
    assert code == 0 and reply["jobId"] == "j2"
    assert json.loads(fake.last("SubmitJob").dsl_json) == {}


def test_query_job_drops_dsl_and_conf(run: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows({"job_id": "j1", "status": "success", "dsl": DSL, "runtime_conf": CONF,
                                         "roles": CONF["role"]})
    code, reply = run("-f", "query_job", "-j", "j1", "-r", "guest", "-p", "9999", "-s", "success")
    assert code == 0
    [row] = reply["data"]
    assert "f_dsl" not in row and "f_runtime_conf" not in row
    assert (row["f_job_id"], row["f_status"], row["f_roles"]) == ("j1", "success", CONF["role"])
    assert dict(fake.last("QueryJob").filters) == {"job_id": "j1", "role": "guest", "party_id": "9999",
                                                   "status": "success"}
    fake.answers["QueryJob"] = job_rows()
    assert run("-f", "query_job", "-j", "j2") == (1, {"retcode": 101, "retmsg": "find job failed"})


def test_simple_job_functions(run: Any, fake: FakeFlow) -> None:
    fake.answers["StopJob"] = returns(flow_pb2.StopJobReply(status="canceled"))
    assert run("-f", "stop_job", "-j", "j1") == (0, {"retcode": 0, "retmsg": "cancel job success", "jobId": "j1"})
    fake.answers["CleanJob"] = returns(flow_pb2.CleanJobReply())
    assert run("-f", "clean_job", "-j", "j1", "-cpn", "dataio_0")[1] == {"retcode": 0, "retmsg": "success"}
    assert fake.last("CleanJob").component_name == "dataio_0"
    fake.answers["QueryDataView"] = data_view_rows({"job_id": "j1", "role": "guest", "party_id": "9999",
                                                    "component_name": "dataio_0", "table_namespace": "ns",
                                                    "table_name": "t"})
    [view] = run("-f", "data_view_query", "-j", "j1", "-r", "guest", "-p", "9999", "-s", "success")[1]["data"]
    assert (view["f_job_id"], view["f_component_name"], view["f_table_namespace"], view["f_table_name"]) == (
        "j1", "dataio_0", "ns", "t")
    assert dict(fake.last("QueryDataView").filters) == {"job_id": "j1", "role": "guest", "party_id": "9999",
                                                        "status": "success"}
    for flags in (("-r", "guest", "-p", "9999"), ("-s", "success"), ("-j", "j1")):  # any of them alone
        assert run("-f", "data_view_query", *flags)[0] == 0, flags
    fake.answers["QueryDataView"] = data_view_rows()
    assert run("-f", "data_view_query", "-s", "failed") == (1, {"retcode": 101, "retmsg": "find data view failed"})
    fake.answers["QueryTask"] = task_rows({"job_id": "j1", "task_id": "j1_dataio_0"})
    [task] = run("-f", "query_task", "-j", "j1", "-cpn", "dataio_0", "-s", "running")[1]["data"]
    assert task["f_task_id"] == "j1_dataio_0"
    assert dict(fake.last("QueryTask").filters) == {"job_id": "j1", "component_name": "dataio_0", "status": "running"}


@pytest.mark.parametrize("function, method, answer, data", [
    ("component_parameters", "ComponentParameters",
     returns(message(flow_pb2.ParametersReply, module="HeteroLR", parameters={"k": "v"})),
     {"module": "HeteroLR", "ComponentParam": {"k": "v"}, "job_id": "j1", "role": "guest", "party_id": "9999",
      "component_name": "hetero_lr_0", "module_roles": []}),
    ("component_metric_all", "ComponentMetricAll", streams(metric("train", "loss", [(0, 0.5)], {"k": "v"})),
     {"train": {"loss": {"data": [[0, 0.5]], "meta": {"k": "v"}}}}),
    ("component_metrics", "ComponentMetrics",
     returns(flow_pb2.MetricNames(metrics=[flow_pb2.MetricName(namespace="train", name="loss")])),
     {"train": ["loss"]})])
def test_component_json_functions(run: Any, fake: FakeFlow, function: str, method: str, answer: Answer,
                                  data: Any) -> None:
    fake.answers[method] = answer
    assert run("-f", function, *COMPONENT) == (0, {"retcode": 0, "retmsg": "success", "data": data})
    ref = fake.last(method)
    assert (ref.job_id, ref.role, ref.party_id, ref.component_name) == ("j1", "guest", "9999", "hetero_lr_0")


def test_component_output_model_and_table(run: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentOutputModel"] = returns(flow_pb2.OutputModelReply(
        module="HeteroLR", alias="model", model_id="m", model_version="j1",
        buffers=[flow_pb2.ModelBuffer(name="HeteroLRParam", type="HeteroLRParam", json='{"iters": 3}')]))
    assert run("-f", "component_output_model", *COMPONENT)[1] == {
        "retcode": 0, "retmsg": "success", "data": {"iters": 3},
        "meta": {"module_name": "HeteroLR", "model_alias": "model", "model_id": "m", "model_version": "j1",
                 "buffers": {"HeteroLRParam": "HeteroLRParam"}}}
    fake.answers["ComponentOutputDataTable"] = returns(flow_pb2.OutputTablesReply(
        tables=[flow_pb2.TableName(namespace="ns", table_name="t")]))
    assert run("-f", "component_output_data_table", *COMPONENT)[1]["data"] == {"table_name": "t",
                                                                              "table_namespace": "ns"}


@pytest.mark.parametrize("args, missing", [
    (["-f", "stop_job"], "job_id"),
    (["-f", "clean_job", "-r", "guest"], "job_id"),
    (["-f", "job_config", "-j", "j1"], "role, party_id, output_path"),
    (["-f", "job_log", "-o", "x"], "job_id"),
    (["-f", "job_log"], "job_id, output_path"),
    (["-f", "component_parameters", "-j", "j1"], "component_name, role, party_id"),
    (["-f", "component_metric_all", "-j", "j1", "-cpn", "c"], "role, party_id"),
    (["-f", "component_metrics", "-r", "guest", "-p", "1", "-cpn", "c"], "job_id"),
    (["-f", "component_output_model"], "job_id, component_name, role, party_id"),
    (["-f", "component_output_data_table", "-j", "j1", "-r", "guest", "-p", "1"], "component_name"),
    (["-f", "component_output_data", *COMPONENT], "output_path"),
])
def test_required_flags_are_checked_before_calling(run: Any, fake: FakeFlow, args: list[str], missing: str) -> None:
    assert run(*args) == (1, {"retcode": 100, "retmsg": f"the following arguments are required: {missing}"})
    assert not fake.calls


# ---- job_config ------------------------------------------------------------------------------


def test_job_config_writes_one_file_per_key(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["JobConfig"] = returns(message(flow_pb2.JobConfigReply, dsl=DSL, runtime_conf=CONF,
                                                train_runtime_conf={}, model_id="m", model_version="j1"))
    code, reply = run("-f", "job_config", "-j", "j1", "-r", "guest", "-p", "9999", "-o", str(tmp_path / "out"))
    directory = tmp_path / "out" / "job_j1_config"
    assert code == 0
    assert reply["retcode"] == 0 and reply["directory"] == str(directory)
    assert reply["retmsg"] == f"download successfully, please check {directory} directory"
    assert reply["data"] == {"job_id": "j1", "train_runtime_conf": {}, "model_info": {"model_id": "m",
                                                                                      "model_version": "j1"}}
    assert sorted(p.name for p in directory.iterdir()) == ["dsl.json", "model_info.json", "runtime_conf.json",
                                                           "train_runtime_conf.json"]
    assert json.loads((directory / "dsl.json").read_text()) == DSL
    assert json.loads((directory / "runtime_conf.json").read_text()) == CONF
    assert json.loads((directory / "train_runtime_conf.json").read_text()) == {}
    assert json.loads((directory / "model_info.json").read_text()) == {"model_id": "m", "model_version": "j1"}
    ref = fake.last("JobConfig")
    assert (ref.job_id, ref.role, ref.party_id) == ("j1", "guest", "9999")


def test_job_config_from_another_server_writes_only_inside_its_directory(run: Any, tmp_path: Path) -> None:
    """Keys that are not plain file names (a server this node does not control may send any) are skipped."""
    other = Flask("other_server")
    data = {"job_id": "j1", "dsl": DSL, "../escape": 1, "..": 2, "sub/dir": 3, "back\\slash": 4, "": 5}
    other.post("/v1/job/config")(lambda: {"retcode": 0, "retmsg": "success", "data": data})
    with HttpServer(other) as server:
        code, reply = run("-f", "job_config", "-j", "j1", "-r", "guest", "-p", "9999", "-o", str(tmp_path / "out"),
                          url=server.url)
    assert code == 0, reply
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["job_j1_config"]
    assert [p.name for p in (tmp_path / "out" / "job_j1_config").iterdir()] == ["dsl.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_job_config_not_found_writes_nothing(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["JobConfig"] = abort(grpc.StatusCode.NOT_FOUND, "find job failed")
    assert run("-f", "job_config", "-j", "j9", "-r", "guest", "-p", "9999", "-o", str(tmp_path / "out")) == (
        1, {"retcode": 101, "retmsg": "find job failed"})
    assert not (tmp_path / "out").exists()


# ---- job_log and component_output_data: downloads -----------------------------------------------------


LOGS = {"fate_flow_schedule.log": b"scheduled\n" * 1000, "guest/9999/dataio_0/std.log": os.urandom(200_000),
        "guest/9999/INFO.log": "ünïcode line\n".encode()}


def test_job_log_is_extracted_under_output_path(run: Any, fake: FakeFlow, tmp_path: Path, temp_dir: Path) -> None:
    fake.answers["JobLog"] = stream(tar_gz(LOGS), chunk=30_000)
    code, reply = run("-f", "job_log", "-j", "j1", "-o", str(tmp_path / "logs"))
    directory = tmp_path / "logs" / "job_j1_log"
    assert code == 0
    assert reply == {"retcode": 0, "directory": str(directory),
                     "retmsg": f"download successfully, please check {directory} directory"}
    for name, content in LOGS.items():
        assert (directory / name).read_bytes() == content
    assert fake.last("JobLog").job_id == "j1"
    assert list(temp_dir.iterdir()) == []  # the downloaded tar.gz is gone


def test_job_log_relative_output_path(run: Any, fake: FakeFlow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fake.answers["JobLog"] = stream(tar_gz({"a.log": b"a"}))
    code, reply = run("-f", "job_log", "-j", "j1", "-o", "rel")
    assert code == 0 and reply["directory"] == str(tmp_path / "rel" / "job_j1_log")
    assert (tmp_path / "rel" / "job_j1_log" / "a.log").read_bytes() == b"a"


def test_job_log_error_prints_the_servers_reply(run: Any, fake: FakeFlow, tmp_path: Path, temp_dir: Path) -> None:
    fake.answers["JobLog"] = abort(grpc.StatusCode.NOT_FOUND, "no job j9")
    assert run("-f", "job_log", "-j", "j9", "-o", str(tmp_path)) == (1, {"retcode": 101, "retmsg": "no job j9"})
    assert not (tmp_path / "job_j9_log").exists()
    assert list(temp_dir.iterdir()) == []


def test_component_output_data_is_extracted(run: Any, fake: FakeFlow, tmp_path: Path, temp_dir: Path) -> None:
    files = {"output_data.csv": b"id,y,x0\n1,1,0.5\n2,0,0.25\n",
             "output_data_meta.json": json.dumps({"header": ["id", "y", "x0"]}).encode()}
    fake.answers["ComponentOutputDataDownload"] = stream(tar_gz(files))
    code, reply = run("-f", "component_output_data", *COMPONENT, "-o", str(tmp_path), "-limit", "2")
    directory = tmp_path / "job_j1_hetero_lr_0_guest_9999_output_data"
    assert code == 0 and reply["directory"] == str(directory), reply
    assert reply["retmsg"] == f"download successfully, please check {directory} directory"
    for name, content in files.items():
        assert (directory / name).read_bytes() == content
    sent = fake.last("ComponentOutputDataDownload")
    assert (sent.component.job_id, sent.component.component_name, sent.limit) == ("j1", "hetero_lr_0", 2)
    assert list(temp_dir.iterdir()) == []


def test_a_broken_archive_is_reported(run: Any, fake: FakeFlow, tmp_path: Path, temp_dir: Path) -> None:
    fake.answers["ComponentOutputDataDownload"] = stream(b"this is not a tar.gz")
    assert run("-f", "component_output_data", *COMPONENT, "-o", str(tmp_path)) == (1, {
        "retcode": 100, "retmsg": "download failed, please check if the parameters are correct"})
    assert list(temp_dir.iterdir()) == []


def test_a_stream_cut_off_by_the_node(run: Any, fake: FakeFlow, http_server: HttpServer, tmp_path: Path,
                                      temp_dir: Path) -> None:
    archive = tar_gz({"big.log": os.urandom(400_000)})
    fake.answers["JobLog"] = stream_then_fail(archive[:200_000])
    # raw HTTP: the reply starts, then the connection closes without the final chunk
    request = urllib.request.Request(f"{http_server.url}/v1/job/log", data=b'{"job_id": "j1"}', method="GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        with pytest.raises(IncompleteRead):
            response.read()
    code, reply = run("-f", "job_log", "-j", "j1", "-o", str(tmp_path))
    assert code == 1 and reply["retcode"] == 100 and "cut off" in reply["retmsg"], reply
    assert not (tmp_path / "job_j1_log").exists()
    assert list(temp_dir.iterdir()) == []


def test_no_server(fake: FakeFlow, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{probe.getsockname()[1]}"
    assert cli.main(["-f", "job_log", "-j", "j1", "-o", str(tmp_path), "--server", nowhere]) == 1
    reply = json.loads(capsys.readouterr().out)
    assert reply["retcode"] == 100 and reply["retmsg"].startswith("Connection refused")


# ---- unsafe archives -----------------------------------------------------------------------------


def member(name: str, kind: bytes = tarfile.REGTYPE, size: int = 1, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, size if kind == tarfile.REGTYPE else 0, link
    return info


@pytest.mark.parametrize("bad", [
    member("../evil"), member("logs/../../evil"), member("/tmp/evil_absolute"),
    member("link", tarfile.SYMTYPE, link="/etc/passwd"), member("hard", tarfile.LNKTYPE, link="../evil"),
    member("fifo", tarfile.FIFOTYPE)])
def test_the_cli_refuses_unsafe_archives(run: Any, fake: FakeFlow, tmp_path: Path, bad: tarfile.TarInfo) -> None:
    out = tmp_path / "out"
    fake.answers["JobLog"] = stream(tar_gz({"good.log": b"ok"}, extra=[bad]))
    code, reply = run("-f", "job_log", "-j", "j1", "-o", str(out))
    assert code == 1 and reply["retcode"] == 100, reply
    assert reply["retmsg"].startswith("download refused: the archive member") and bad.name in reply["retmsg"]
    assert not (out / "job_j1_log").exists()  # nothing at all was extracted
    assert not (out / "evil").exists() and not (tmp_path / "evil").exists()


def test_safe_extract_directly(tmp_path: Path) -> None:
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(tar_gz({"x/y.txt": b"fine"}, extra=[member("../evil")]))
    with pytest.raises(UnsafeArchive, match=r"'\.\./evil' points outside"):
        safe_extract(str(archive), str(tmp_path / "dest"))
    assert not (tmp_path / "dest").exists() and not (tmp_path / "evil").exists()
    archive.write_bytes(tar_gz({"x/y.txt": b"fine", "z": b""}))
    assert safe_extract(str(archive), str(tmp_path / "dest")) == ["x/y.txt", "z"]
    assert (tmp_path / "dest" / "x" / "y.txt").read_bytes() == b"fine"


# ---- the older functions still work -----------------------------------------------------------------


def test_existing_functions_still_post(run: Any, fake: FakeFlow) -> None:
    fake.answers["TableInfo"] = returns(flow_pb2.TableInfoReply(namespace="ns", table_name="t", partition=4, count=7))
    code, reply = run("-f", "table_info", "-n", "ns", "-t", "t")
    assert code == 0 and reply["data"]["count"] == 7 and reply["data"]["partition"] == 4
    assert run("-f", "table_info", "-n", "ns") == (1, {
        "retcode": 100, "retmsg": "the following arguments are required: table_name"})
