"""Key placement: CRC-32 of the encoded key, the same in every process and on every machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zlib

import pytest

from storage import encode
from storage.partitioner import partition_of, split_by_partition, spread_keys

# key -> (its encoding as hex, CRC-32 of the encoding, partition in tables of 1, 4, 16, 1024)
# Computed once; the values are fixed by the codec's wire format and by CRC-32's definition.
STABLE = [
    ("a", "a161", 3429944985, [0, 1, 9, 665]),
    ("hello", "a568656c6c6f", 136409189, [0, 1, 5, 101]),
    ("user_000042", "ab757365725f303030303432", 3477134694, [0, 2, 6, 358]),
    ("é中", "a5c3a9e4b8ad", 1280665315, [0, 3, 3, 739]),
    (0, "00", 3523407757, [0, 1, 13, 909]),
    (1, "01", 2768625435, [0, 3, 11, 795]),
    (12345, "cd3039", 3866452730, [0, 2, 10, 762]),
    (-7, "f9", 375629109, [0, 1, 5, 309]),
    (2**70, "c70901400000000000000000", 368353612, [0, 0, 12, 332]),
    (("x", 1), "d60292a17801", 1350029537, [0, 1, 1, 225]),
    (b"raw", "c403726177", 770708655, [0, 3, 15, 175]),
]
PARTITION_COUNTS = [1, 4, 16, 1024]
KEYS_REPR = repr([key for key, *_ in STABLE])

_CHILD = textwrap.dedent(
    """
    import json, sys
    from storage import encode
    from storage.partitioner import partition_of
    keys = eval(sys.argv[1])
    counts = json.loads(sys.argv[2])
    print(json.dumps([[encode(k).hex(), [partition_of(encode(k), n) for n in counts]] for k in keys]))
    """
)


@pytest.mark.parametrize("key,encoded,crc,partitions", STABLE, ids=[repr(k) for k, *_ in STABLE])
def test_stable_encoding_and_partition(key, encoded, crc, partitions):
    data = encode(key)
    assert data.hex() == encoded
    assert zlib.crc32(data) == crc
    assert [partition_of(data, n) for n in PARTITION_COUNTS] == partitions


def _child_placements(hash_seed: str) -> list:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, KEYS_REPR, json.dumps(PARTITION_COUNTS)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    return json.loads(proc.stdout)


def test_placement_is_the_same_in_processes_with_other_hash_seeds():
    expected = [[encoded, partitions] for _, encoded, _, partitions in STABLE]
    for seed in ("0", "4242"):
        assert _child_placements(seed) == expected


def test_placement_matches_the_table_layout(inline_store):
    for partitions in (4, 16):
        table = inline_store.create_table("ns", f"layout{partitions}", partitions)
        for key, _, _, expected in STABLE:
            table.put(key, "v")
        counts = [0] * partitions
        for key, _, _, expected in STABLE:
            counts[expected[PARTITION_COUNTS.index(partitions)]] += 1
        assert table.partition_counts() == counts


def test_split_by_partition_agrees_with_partition_of():
    pairs = [(encode(i), encode(-i)) for i in range(500)]
    buckets = split_by_partition(pairs, 7)
    assert len(buckets) == 7
    assert sorted(pair for bucket in buckets for pair in bucket) == sorted(pairs)
    for index, bucket in enumerate(buckets):
        assert all(partition_of(key, 7) == index for key, _ in bucket)
    order = [pair for pair in pairs if partition_of(pair[0], 7) == 3]
    assert buckets[3] == order  # arrival order kept within a bucket


@pytest.mark.parametrize("partitions", [2, 7, 16, 64])
def test_distribution_is_near_uniform(partitions):
    rows = 40_000
    counts = [0] * partitions
    for i in range(rows):
        counts[partition_of(encode(f"id-{i}"), partitions)] += 1
    for i in range(rows // 2):
        counts[partition_of(encode(i * 7919), partitions)] += 1
    mean = (rows + rows // 2) / partitions
    assert min(counts) > 0.9 * mean
    assert max(counts) < 1.1 * mean


def test_set_keys_are_placed_the_same_in_every_process():
    # Set iteration order follows string hashes, which differ between processes: the
    # encoding of a set must not.
    key = "frozenset({'alpha', 'beta', 'gamma', 'delta', 'eps'})"
    results = set()
    for seed in ("0", "1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, f"[{key}]", "[1024]"],
            capture_output=True, text=True, env=env, timeout=120, check=True,
        )
        results.add(proc.stdout)
    assert len(results) == 1


def test_spread_keys_fall_into_the_partitions_in_turn() -> None:
    keys = spread_keys(10, 4)
    assert len(set(keys)) == 10
    assert [partition_of(encode(key), 4) for key in keys] == [i % 4 for i in range(10)]
    assert spread_keys(0, 3) == [] and spread_keys(3, 1) == [0, 1, 2]
