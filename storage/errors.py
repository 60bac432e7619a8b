"""Errors the storage package raises, each with a short message naming what is at fault."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of storage errors."""


class _TableError(StorageError):
    """An error about one table, named in its message."""

    _template = "table {}.{}"

    def __init__(self, namespace: str, name: str) -> None:
        super().__init__(self._template.format(namespace, name))
        self.namespace = namespace
        self.name = name

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.namespace, self.name))


class TableNotFound(_TableError):
    _template = "table {}.{} does not exist"


class TableExists(_TableError):
    _template = "table {}.{} already exists"


class InvalidTableArgument(StorageError, ValueError):
    """A namespace, name or partition count that no table can have."""
