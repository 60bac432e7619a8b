"""The board's calls of the Flow gRPC service: the job list, the job changes stream and a component's log."""

from __future__ import annotations

from typing import Iterator

import grpc

from fate_runtime.jobs.board import BoardQueries
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.node import messages
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from protos import flow_pb2


class BoardMethods:
    """Flow service methods for the board; mixed into the FlowServicer."""

    _board: BoardQueries
    _queries: JobQueries

    @translate_stream_errors
    def SearchJobs(self, request: flow_pb2.JobSearch, context: grpc.ServicerContext) -> Iterator[flow_pb2.JobRow]:
        for job in self._board.search(request.status, request.job_id_part, request.limit):
            yield messages.job_row(job, self._queries.train_conf(job))

    @translate_stream_errors
    def WatchJobs(self, request: flow_pb2.WatchJobsRequest,
                  context: grpc.ServicerContext) -> Iterator[flow_pb2.JobChange]:
        subscription = self._board.subscribe()
        context.add_callback(lambda: self._board.unsubscribe(subscription))  # the caller went: end at once
        try:
            for job in self._board.changes(subscription, request.keepalive_seconds):
                if job is None:
                    yield flow_pb2.JobChange(keepalive=True)
                else:
                    yield flow_pb2.JobChange(job=messages.job_row(job, self._queries.train_conf(job)))
        finally:
            self._board.unsubscribe(subscription)

    @translate_errors
    def ComponentLog(self, request: flow_pb2.ComponentLogRequest,
                     context: grpc.ServicerContext) -> flow_pb2.ComponentLogReply:
        ref = request.component
        text, offset = self._board.component_log(ref.job_id, ref.component_name, ref.role, ref.party_id,
                                                 request.offset)
        return flow_pb2.ComponentLogReply(text=text, offset=offset)
