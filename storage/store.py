"""The table store: where tables live on disk, and creating, publishing and destroying them.

Layout under the data dir:
    tables/<namespace>/<name>/meta.json and one LMDB environment per partition (0, 1, ...)
    staging/<id>/   tables being built; published into tables/ by one directory rename (or, over an
                    existing table, one atomic exchange of the two directories)
    trash/<id>/     destroyed tables on their way out
    locks/          one lock file per table ever locked with `table_lock`
A table becomes visible only when it is complete, so a failed build leaves nothing behind, and a
replaced table stays whole until the instant the new one takes its place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import time
import uuid
from contextlib import AbstractContextManager
from typing import Any, Callable, Sequence
from urllib.parse import quote

from storage.errors import TableExists
from storage.executor import prestart, run_all
from storage.fs import exclusive_lock, swap_directories
from storage.lmdb_env import DEFAULT_MAP_SIZE, environments
from storage.meta import (META_FILE, TEMP_NAMESPACE, TableMeta, check_name, check_partitions, destroy_each, metas_under,
                          read_table_meta, write_meta)
from storage.table import Table
from storage.worker_slots import default_workers



@dataclasses.dataclass(frozen=True)
class StoreConfig:
    """Where the store lives and how it works; picklable, so workers can rebuild the store."""

    data_dir: str
    map_size: int = DEFAULT_MAP_SIZE
    workers: int = 0
    inline_rows: int = 20_000
    temp_namespace: str = TEMP_NAMESPACE
    worker_slots: str = ""  # a budget of worker processes shared with other processes (make_worker_budget); "": none

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else default_workers()


_MAX_DIR_NAME = 180


def _dir_name(name: str) -> str:
    """A file-system-safe directory name for a namespace or table name, one per name.

    Names whose quoted form is too long for a file system keep a quoted prefix and add a
    hash of the whole name after "%~", which no quoted name contains.
    """
    quoted = quote(name, safe="-_.")
    if len(quoted) <= _MAX_DIR_NAME:
        return quoted
    return quoted[:100] + "%~" + hashlib.sha256(name.encode()).hexdigest()


class Store:
    """All tables under one data dir."""

    def __init__(self, data_dir: str | StoreConfig, **settings: Any) -> None:
        config = data_dir if isinstance(data_dir, StoreConfig) else StoreConfig(str(data_dir), **settings)
        self.config = dataclasses.replace(config, data_dir=os.path.abspath(config.data_dir))
        for sub in ("tables", "staging", "trash", "locks"):
            os.makedirs(os.path.join(self.config.data_dir, sub), exist_ok=True)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Store, (self.config,))

    def _path(self, *parts: str) -> str:
        return os.path.join(self.config.data_dir, *parts)

    def table_dir(self, namespace: str, name: str) -> str:
        return self._path("tables", _dir_name(namespace), _dir_name(name))

    def _catalog_lock(self) -> AbstractContextManager[None]:
        """Serialise publish/destroy across processes sharing this data dir."""
        return exclusive_lock(self._path(".catalog.lock"))

    def table_lock(self, namespace: str, name: str) -> AbstractContextManager[None]:
        """Hold namespace.name against every other holder of its lock, in any process.

        For whoever reads a table, builds its next version and publishes it: holding the lock from
        the read to the publish keeps a concurrent writer's version from being lost. Not re-entrant.
        """
        key = f"{check_name('namespace', namespace)}\0{check_name('name', name)}"
        return exclusive_lock(self._path("locks", hashlib.sha256(key.encode()).hexdigest() + ".lock"))

    def _staged(self, meta: TableMeta, fill: Callable[[str], None]) -> Table:
        """A new staging directory with `meta`, its partitions made by `fill(directory)`; nothing
        is left behind if that fails."""
        staged = Table(self, self._path("staging", uuid.uuid4().hex), meta)
        try:
            os.makedirs(staged.directory)
            fill(staged.directory)
            write_meta(staged.directory, meta)
        except BaseException:
            self.discard(staged)
            raise
        return staged

    def staging(self, partitions: int, schema: dict[str, Any] | None = None) -> Table:
        """An empty, invisible table to fill and then `publish` (or `discard`)."""
        meta = TableMeta("", "", check_partitions(partitions), dict(schema or {}), time.time())

        def create(directory: str) -> None:
            for index in range(meta.partitions):
                environments.get(os.path.join(directory, str(index)), True, self.config.map_size)

        return self._staged(meta, create)

    def staging_copy(self, table: Table) -> Table:
        """An invisible copy of `table` (each partition copied by LMDB in one read transaction), to change
        and then `publish` over it (or `discard`)."""

        def copy(directory: str) -> None:
            for index in range(table.partitions):
                os.mkdir(os.path.join(directory, str(index)))
                table.partition_env(index).copy_to(os.path.join(directory, str(index)))

        return self._staged(table.meta, copy)

    def publish(self, staged: Table, namespace: str, name: str, replace: bool = False,
                written_by: str = "") -> Table:
        """Make a staged table visible as namespace.name in one rename (over an existing table,
        with `replace`, in one exchange of the two directories); `written_by` goes in its meta."""
        target = self.table_dir(check_name("namespace", namespace), check_name("name", name))
        meta = dataclasses.replace(staged.meta, namespace=namespace, name=name, written_by=written_by)
        write_meta(staged.directory, meta)
        environments.close_under(staged.directory)
        with self._catalog_lock():
            replaced = os.path.exists(target)
            if replaced:
                if not replace:
                    raise TableExists(namespace, name)
                environments.close_under(target)
                swap_directories(staged.directory, target)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.rename(staged.directory, target)
        if replaced:  # the old table is where the staged one was (a start clears staging if this fails)
            shutil.rmtree(staged.directory, ignore_errors=True)
        return Table(self, target, meta)

    def discard(self, staged: Table) -> None:
        """Remove a staged table that will not be published."""
        environments.close_under(staged.directory)
        shutil.rmtree(staged.directory, ignore_errors=True)

    def create_table(
        self,
        namespace: str,
        name: str,
        partitions: int,
        schema: dict[str, Any] | None = None,
        replace: bool = False,
    ) -> Table:
        """A new empty table (`replace` drops an existing one of that name)."""
        check_name("namespace", namespace)
        check_name("name", name)
        if not replace and self.exists(namespace, name):
            raise TableExists(namespace, name)
        return self.publish(self.staging(partitions, schema), namespace, name, replace)

    def temporary(self, partitions: int, schema: dict[str, Any] | None = None) -> Table:
        """A new empty table with a generated name in the temporary namespace."""
        return self.create_table(self.config.temp_namespace, uuid.uuid4().hex, partitions, schema)

    @property
    def temp_namespace(self) -> str:
        return self.config.temp_namespace

    def parallelism(self) -> int:
        """The storage worker processes the store runs partitions in."""
        return self.config.worker_count()

    def exists(self, namespace: str, name: str) -> bool:
        return os.path.exists(os.path.join(self.table_dir(namespace, name), META_FILE))

    def table(self, namespace: str, name: str) -> Table:
        """The table namespace.name; TableNotFound if there is none."""
        directory = self.table_dir(check_name("namespace", namespace), check_name("name", name))
        meta = read_table_meta(directory, namespace, name)
        return Table(self, directory, meta)

    def destroy(self, namespace: str, name: str) -> bool:
        """Remove a table; False if it did not exist."""
        target = self.table_dir(check_name("namespace", namespace), check_name("name", name))
        with self._catalog_lock():
            if not os.path.exists(target):
                return False
            self._move_to_trash(target)
            try:
                os.rmdir(os.path.dirname(target))  # the namespace's folder goes with its last table
            except OSError:
                pass  # other tables remain
        self._empty_trash()
        return True

    def destroy_namespace(self, namespace: str) -> int:
        """Remove every table of a namespace; returns how many there were."""
        return destroy_each(self.list_tables(namespace), self.destroy)

    def list_tables(self, namespace: str | None = None) -> list[TableMeta]:
        root = self._path("tables")
        return metas_under(root, [_dir_name(namespace)] if namespace is not None else sorted(os.listdir(root)))

    def clear_staging(self) -> int:
        """Remove every staged table (left by a process that died while building it); returns how many.

        Only for when no process is building tables in this store, such as a node starting.
        """
        staging = self._path("staging")
        leftovers = os.listdir(staging)
        for entry in leftovers:
            environments.close_under(os.path.join(staging, entry))
            shutil.rmtree(os.path.join(staging, entry), ignore_errors=True)
        self._empty_trash()
        return len(leftovers)

    def start_workers(self) -> None:
        """Start the worker processes ahead of the first parallel operation."""
        prestart(self.config.worker_count(), self.config.worker_slots)

    def for_heavy_rows(self) -> "Store":
        """This store, but operations on the tables opened through it always run in the worker processes: for
        tables whose every row carries much work (blocks of rows, batches of ciphertexts), which the row-count
        rule for small jobs (`inline_rows`) would keep in this process."""
        return Store(dataclasses.replace(self.config, inline_rows=0))

    def parallel(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], inline: bool = False) -> list[Any]:
        """`[fn(*args) for args in calls]` in the store's worker processes (`fn` must be importable)."""
        return run_all(fn, calls, self.config.worker_count(), inline=inline, budget=self.config.worker_slots)

    def _move_to_trash(self, directory: str) -> None:
        environments.close_under(directory)
        os.rename(directory, self._path("trash", uuid.uuid4().hex))

    def _empty_trash(self) -> None:
        trash = self._path("trash")
        for entry in os.listdir(trash):
            shutil.rmtree(os.path.join(trash, entry), ignore_errors=True)

