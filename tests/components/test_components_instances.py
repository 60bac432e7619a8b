"""Instance tables: rows that cross the codec intact, and partitions read back as numpy blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fate_runtime.components.instances import Instance, instance_block
from storage import Store, decode, encode


def test_an_instance_crosses_the_codec_intact() -> None:
    instance = Instance(np.array([0.5, -1.25, 3.0]), 1.0)
    back = decode(encode(instance))
    assert back == instance and back.features.dtype == np.float64


def test_a_partition_becomes_one_block_of_arrays(tmp_path: Path) -> None:
    table = Store(str(tmp_path), workers=1).create_table("ns", "t", 1)
    table.put_all([("a", Instance(np.array([1.0, 2.0]), 0.0)), ("b", Instance(np.array([3.0, 4.0]), 1.0))])
    block = instance_block(table.collect())
    assert block.ids == ["a", "b"]
    assert np.array_equal(block.features, [[1.0, 2.0], [3.0, 4.0]])
    assert block.labels is not None and np.array_equal(block.labels, [0.0, 1.0])


def test_a_block_without_labels_and_an_empty_block() -> None:
    unlabelled = instance_block([("a", Instance(np.array([1.0])))])
    assert unlabelled.labels is None
    empty = instance_block([], width=3)
    assert len(empty) == 0 and empty.features.shape == (0, 3)
