"""How guest and hosts cut the same rows into the same blocks, so that every per-iteration step is block by block.

The guest takes its ids in table order, cuts them into mini-batches of `batch_size` consecutive ids
when asked (as FATE 1.2's MiniBatch does, once for the whole training), each batch into blocks of at most BLOCK_ROWS ids and sends
this layout to every host. Each party then keeps, per batch, a table block index -> InstanceBlock
holding exactly those ids in that order: block i of the guest and block i of a host describe the
same rows, so encrypted blocks join on the block index alone and numpy does the row work.
Hosts learn which ids the guest has and how they are batched, as in FATE (its batch_data_index).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np

from fate_runtime.components.instances import InstanceBlock, instance_block
from storage import MAX_PARTITIONS
from storage.computing import ComputingBackend, ComputingTable
from storage.partitioner import spread_keys
from storage.codec import register_data_class

BLOCK_ROWS = 4096  # most rows per block: multi-exponentiation gets cheaper per term as blocks grow
MIN_BLOCK_ROWS = 256  # fewest rows per block when a batch is split to keep every worker busy


@register_data_class("fate_runtime.hetero_lr.Layout")
@dataclasses.dataclass
class Layout:
    """batches[b][k] = the ids of block k of batch b; `partitions` of the block tables both sides build."""

    batches: list[list[list[Any]]]
    partitions: int

    def rows(self, batch: int) -> int:
        return sum(len(block) for block in self.batches[batch])

    def keys(self, batch: int) -> list[int]:
        """The block tables' keys of a batch's blocks: one block per partition in turn, so every worker gets one."""
        return spread_keys(len(self.batches[batch]), self.partitions)

    def total(self) -> int:
        return sum(self.rows(batch) for batch in range(len(self.batches)))


def guest_layout(ids: Sequence[Any], batch_size: int, partitions: int, workers: int = 1) -> Layout:
    """The layout of the guest's ids (in table order): one batch of every id (batch_size -1 or at least all rows),
    or batches of batch_size consecutive ids, the last one shorter; each batch in blocks of equal size, as many as
    a multiple of `workers` where the rows allow (so that no worker waits for another's last block)."""
    order = list(ids)
    size = batch_size if 0 < batch_size < len(order) else max(1, len(order))
    spans = [order[start:start + size] for start in range(0, len(order), size)] or [[]]
    batches = [_blocks(span, workers) for span in spans]
    blocks = max(len(batch) for batch in batches)
    return Layout(batches, max(1, min(max(partitions, workers), blocks)))


def _blocks(span: list[Any], workers: int) -> list[list[Any]]:
    count = -(-len(span) // BLOCK_ROWS)
    if workers > 1 and len(span) >= workers * MIN_BLOCK_ROWS:
        count = -(-count // workers) * workers
    size = max(1, -(-len(span) // max(1, count)))
    return [span[start:start + size] for start in range(0, len(span), size)]


def checked_layout(value: Any) -> Layout:
    """A layout received from the guest, refused (ValueError) unless it is one: lists of blocks of ids (strings or
    ints), no id twice, a partition count the store takes."""
    if not isinstance(value, Layout) or not isinstance(value.batches, list) or not value.batches:
        raise ValueError("the guest's batch layout is malformed")
    ids = [key for batch in value.batches if isinstance(batch, list)
           for block in batch if isinstance(block, list) for key in block]
    shaped = all(isinstance(batch, list) and all(isinstance(block, list) for block in batch)
                 for batch in value.batches)
    if not shaped or not all(isinstance(key, (str, int)) and not isinstance(key, bool) for key in ids):
        raise ValueError("the guest's batch layout is malformed")
    if len(set(ids)) != len(ids):
        raise ValueError("the guest's batch layout names an id twice")
    if isinstance(value.partitions, bool) or not isinstance(value.partitions, int) or \
            not 1 <= value.partitions <= MAX_PARTITIONS:
        raise ValueError(f"the guest's batch layout asks for {value.partitions!r} partitions")
    return value


@dataclasses.dataclass
class PartyRows:
    """A party's instances in memory as arrays, found by id."""

    block: InstanceBlock
    position: dict[Any, int]

    @staticmethod
    def of(table: ComputingTable, width: int) -> "PartyRows":
        block = instance_block(table.collect(), width)
        return PartyRows(block, {key: index for index, key in enumerate(block.ids)})

    def missing(self, layout: Layout) -> int:
        """How many of the layout's ids this party has no row for."""
        return sum(1 for batch in layout.batches for ids in batch for key in ids if key not in self.position)

    def blocks(self, store: ComputingBackend, namespace: str, name: str, layout: Layout, batch: int) -> ComputingTable:
        """The table block index -> InstanceBlock of one batch (opened for heavy rows: every op uses the workers)."""
        table = store.for_heavy_rows().create_table(namespace, name, layout.partitions)
        table.put_all((key, self._select(ids)) for key, ids in zip(layout.keys(batch), layout.batches[batch]))
        return table

    def _select(self, ids: list[Any]) -> InstanceBlock:
        rows = np.fromiter((self.position[key] for key in ids), dtype=np.int64, count=len(ids))
        labels = None if self.block.labels is None else self.block.labels[rows]
        return InstanceBlock(list(ids), self.block.features[rows], labels)
