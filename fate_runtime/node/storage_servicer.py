"""The Storage gRPC service: tables read and written as codec-encoded pairs (tables are created and written in the LMDB
store; described, scanned and destroyed on either backend)."""

from __future__ import annotations

from itertools import chain, islice
from typing import Iterator

import grpc
from google.protobuf import json_format

from fate_runtime.data.node_tables import NodeTables, StoredTable
from fate_runtime.errors import BadRequest
from fate_runtime.node.proto_convert import to_struct
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from protos import storage_pb2, storage_pb2_grpc
from storage import Store, decode
from storage.spark.directory import SparkDirectory

_SCAN_BATCH = 4096


def _describe(table: StoredTable) -> storage_pb2.TableDescription:
    return storage_pb2.TableDescription(
        table=storage_pb2.TableRef(namespace=table.namespace, name=table.name), partitions=table.partitions,
        count=table.count(), schema=to_struct(table.schema), create_time=table.meta.create_time)


class StorageServicer(storage_pb2_grpc.StorageServicer):
    def __init__(self, store: Store, spark: SparkDirectory | None = None) -> None:
        self._store = store
        self._tables = NodeTables(store, spark)

    @translate_errors
    def CreateTable(self, request: storage_pb2.CreateTableRequest,
                    context: grpc.ServicerContext) -> storage_pb2.TableDescription:
        schema = json_format.MessageToDict(request.schema)
        table = self._store.create_table(request.table.namespace, request.table.name, request.partitions,
                                         schema, replace=request.replace)
        return _describe(table)

    @translate_errors
    def DestroyTable(self, request: storage_pb2.TableRef,
                     context: grpc.ServicerContext) -> storage_pb2.DestroyTableReply:
        return storage_pb2.DestroyTableReply(existed=self._tables.destroy(request.namespace, request.name))

    @translate_errors
    def DescribeTable(self, request: storage_pb2.TableRef,
                      context: grpc.ServicerContext) -> storage_pb2.TableDescription:
        return _describe(self._tables.table(request.namespace, request.name))

    @translate_errors
    def Put(self, request_iterator: Iterator[storage_pb2.PutBatch],
            context: grpc.ServicerContext) -> storage_pb2.PutReply:
        first = next(request_iterator, None)
        if first is None or not first.HasField("table"):
            raise BadRequest("a put must name its table in its first batch")
        table = self._store.table(first.table.namespace, first.table.name)

        def pairs() -> Iterator[tuple[object, object]]:
            for batch in chain([first], request_iterator):
                if len(batch.keys) != len(batch.values):
                    raise BadRequest("a put batch must have as many values as keys")
                for key, value in zip(batch.keys, batch.values):
                    yield decode(key), decode(value)

        return storage_pb2.PutReply(written=table.put_all_atomic(pairs()))

    @translate_stream_errors
    def Scan(self, request: storage_pb2.ScanRequest,
             context: grpc.ServicerContext) -> Iterator[storage_pb2.PairBatch]:
        table = self._tables.table(request.table.namespace, request.table.name)
        pairs = table.collect_encoded()
        if request.limit > 0:
            pairs = islice(pairs, request.limit)
        while batch := list(islice(pairs, _SCAN_BATCH)):
            yield storage_pb2.PairBatch(keys=[k for k, _ in batch], values=[v for _, v in batch])
