"""LMDB-backed partitioned tables and the operations on them (an eggroll-like store)."""

from storage.codec import CodecError, decode, encode, register_data_class
from storage.errors import InvalidTableArgument, StorageError, TableExists, TableNotFound
from storage.executor import WorkerDied
from storage.executor import shutdown as shutdown_workers
from storage.lmdb_env import DEFAULT_MAP_SIZE
from storage.meta import MAX_PARTITIONS, TableMeta, check_name, check_partitions
from storage.store import Store, StoreConfig
from storage.table import Table
from storage.worker_slots import make_worker_budget

__all__ = [
    "CodecError", "DEFAULT_MAP_SIZE", "InvalidTableArgument", "MAX_PARTITIONS", "StorageError", "Store", "StoreConfig",
    "Table", "TableExists", "TableMeta", "TableNotFound", "WorkerDied",
    "check_name", "check_partitions", "decode", "encode", "make_worker_budget", "register_data_class",
    "shutdown_workers",
]
