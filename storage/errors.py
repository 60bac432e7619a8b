"""Errors the storage package raises, each with a short message naming what is at fault."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of storage errors."""


class TableNotFound(StorageError):
    def __init__(self, namespace: str, name: str) -> None:
        super().__init__(f"table {namespace}.{name} does not exist")
        self.namespace = namespace
        self.name = name


class TableExists(StorageError):
    def __init__(self, namespace: str, name: str) -> None:
        super().__init__(f"table {namespace}.{name} already exists")
        self.namespace = namespace
        self.name = name


class InvalidTableArgument(StorageError, ValueError):
    """A namespace, name or partition count that no table can have."""
