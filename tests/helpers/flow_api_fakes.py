"""A fake node for the REST layer's tests: a FlowServicer (and InferenceService) whose answers each test sets.

`FakeFlow.answers[method]` is called as answer(request, context) and returns the reply (for
the server-streaming methods: an iterable of their messages); a method without an answer aborts
with UNIMPLEMENTED. Every request is recorded in `calls` as (method, request). The canned
replies below build the typed messages from keyword fields, FATE's free-form objects as values.
"""

from __future__ import annotations

import io
import json
import ssl
import tarfile
import threading
from concurrent import futures
from typing import Any, Callable, Iterable, Iterator, TypeVar

import grpc
from google.protobuf.message import Message
from werkzeug.serving import BaseWSGIServer, make_server

from flow_api.auth import Keys
from flow_api.server_main import RestRequestHandler
from protos import flow_pb2, flow_pb2_grpc, inference_service_pb2_grpc

KEYS = Keys("test-app-key", "test-secret-key")

METHODS = [name for servicer in (flow_pb2_grpc.FlowServicer, inference_service_pb2_grpc.InferenceServiceServicer)
           for name in dir(servicer) if not name.startswith("_")]

Answer = Callable[[Any, grpc.ServicerContext], Any]

M = TypeVar("M", bound=Message)


class FakeFlow(flow_pb2_grpc.FlowServicer):
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.calls: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        for name in METHODS:
            setattr(self, name, self._dispatcher(name))

    def _dispatcher(self, name: str) -> Callable[[Any, grpc.ServicerContext], Any]:
        def dispatch(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                self.calls.append((name, request))
                answer = self.answers.get(name)
            if answer is not None:
                return answer(request, context)
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{name} is not faked")  # raises
        return dispatch

    def reset(self) -> None:
        with self._lock:
            self.answers.clear()
            self.calls.clear()

    def requests(self, name: str) -> list[Any]:
        with self._lock:
            return [request for method, request in self.calls if method == name]

    def last(self, name: str) -> Any:
        found = self.requests(name)
        assert found, f"{name} was not called; calls: {[method for method, _ in self.calls]}"
        return found[-1]


def start_grpc(fake: FakeFlow) -> tuple[grpc.Server, str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    flow_pb2_grpc.add_FlowServicer_to_server(fake, server)
    inference_service_pb2_grpc.add_InferenceServiceServicer_to_server(fake, server)  # type: ignore[arg-type]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


class HttpServer:
    """The app served by werkzeug in a thread (what the CLI talks to), as the node serves it; HTTPS with `tls`."""

    def __init__(self, app: Any, tls: ssl.SSLContext | None = None) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True,
                                                  request_handler=RestRequestHandler, ssl_context=tls)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="rest-test", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.server.server_close()

    def __enter__(self) -> HttpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- canned replies ------------------------------------------------------------------------


def abort(code: grpc.StatusCode, message: str, job_id: str = "") -> Answer:
    def answer(request: Any, context: grpc.ServicerContext) -> Any:
        if job_id:
            context.set_trailing_metadata((("job-id", job_id),))
        context.abort(code, message)
    return answer


def upload_answer(received: list[flow_pb2.UploadChunk]) -> Answer:
    """Upload's answer: the chunks go into `received`; the reply counts the file's bytes."""
    def answer(chunks: Iterator[flow_pb2.UploadChunk], context: grpc.ServicerContext) -> flow_pb2.UploadReply:
        received.extend(chunks)
        settings = received[0].settings
        return flow_pb2.UploadReply(job_id="u1", namespace=settings.namespace, table_name=settings.table_name,
                                    count=sum(len(chunk.data) for chunk in received))
    return answer


def returns(reply: Any) -> Answer:
    return lambda request, context: reply


def message(cls: type[M], **fields: Any) -> M:
    """cls(**fields), where a field the message has as `<name>_json` may be given as `<name>=value` (sent as JSON)."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if f"{name}_json" in cls.DESCRIPTOR.fields_by_name:
            name, value = f"{name}_json", json.dumps(value)
        values[name] = value
    return cls(**values)


def streams(*messages: Any) -> Answer:
    """A server stream's answer: the messages in order (none: an empty stream)."""
    return lambda request, context: iter(messages)


def job_rows(*rows: dict[str, Any]) -> Answer:
    """QueryJob's answer: a JobRow a row, from its fields (roles, dsl, runtime_conf as values)."""
    return streams(*(message(flow_pb2.JobRow, **row) for row in rows))


def job_ids(rows: list[dict[str, Any]]) -> list[str]:
    """The f_job_id of each row of a /v1/job/query reply's data."""
    return [row["f_job_id"] for row in rows]


def task_rows(*rows: dict[str, Any]) -> Answer:
    """QueryTask's answer: a TaskRow a row."""
    return streams(*(message(flow_pb2.TaskRow, **row) for row in rows))


def data_view_rows(*rows: dict[str, Any]) -> Answer:
    """QueryDataView's answer: a DataViewRow a row."""
    return streams(*(flow_pb2.DataViewRow(**row) for row in rows))


def metric(namespace: str, name: str, data: list[tuple[Any, Any]], meta: Any) -> flow_pb2.Metric:
    """A metric of [(key, value), ...] points and its meta."""
    return flow_pb2.Metric(namespace=namespace, name=name, meta_json=json.dumps(meta),
                           points=[flow_pb2.MetricPoint(key_json=json.dumps(key), value_json=json.dumps(value))
                                   for key, value in data])


def output_page(rows: list[list[Any]], header: Iterable[str] = (), total: int = 0) -> flow_pb2.OutputDataPage:
    """A page of output data (the first one with the header and the table's row count)."""
    return flow_pb2.OutputDataPage(rows=[flow_pb2.OutputRow(cells_json=[json.dumps(cell) for cell in row])
                                         for row in rows], header=header, total=total)


def stream(data: bytes, chunk: int = 64 << 10) -> Answer:
    def answer(request: Any, context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:
        for start in range(0, len(data), chunk):
            yield flow_pb2.FileChunk(data=data[start:start + chunk])
    return answer


def stream_then_fail(data: bytes, chunk: int = 64 << 10) -> Answer:
    def answer(request: Any, context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:
        for start in range(0, len(data), chunk):
            yield flow_pb2.FileChunk(data=data[start:start + chunk])
        context.abort(grpc.StatusCode.INTERNAL, "the disk went away")
    return answer


def tar_gz(files: dict[str, bytes], extra: Iterable[tarfile.TarInfo] = ()) -> bytes:
    """A tar.gz with the given regular files (and any hand-made members)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return buffer.getvalue()
