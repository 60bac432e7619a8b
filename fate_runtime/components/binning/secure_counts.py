"""The host's event counts per bin without either side seeing the other's data, under the guest's Paillier key.

The guest encrypts the label y of every row; the host multiplies the ciphertexts of the rows in each bin of each of
its columns (a homomorphic sum), re-randomizes each sum (so the guest cannot match it against the ciphertexts it
sent and learn which rows share a bin) and sends it back with the bin's row count; the guest decrypts the events
per bin and has the non-events as count - events. It learns what FATE's guest learns (FATE encrypts y and 1 - y
and sums both: their sums add up to the same counts) at half the encryptions and products. Ciphertexts travel as
integers at exponent 0 (the labels are integers), the public key as its modulus.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Iterator

import gmpy2
import numpy as np

from fate_runtime.components.binning.split_points import SplitPoints
from fate_runtime.crypto import EncryptedNumber, PrivateKey, PublicKey
from fate_runtime.crypto.obfuscators import process_obfuscators
from storage.computing import ComputingTable

BinSums = list[list[list[int]]]  # per column, per bin: [ciphertext of the events, row count]
MAX_COUNT = 2**53  # no bin holds more rows than this


def _encrypted_label(public_key: PublicKey, instance: Any) -> int:
    blinding = process_obfuscators(public_key.n).take(1)[0]  # (a fixed-base factor: ~20x cheaper than a fresh r^n)
    return public_key.raw_encrypt(int(instance.label), blinding)


def encrypted_labels(table: ComputingTable, public_key: PublicKey) -> ComputingTable:
    """id -> E(y) of the guest's rows (labels already checked to be 0 or 1)."""
    return table.with_heavy_rows().map_values(partial(_encrypted_label, public_key))


def _with_label(instance: Any, label: int) -> tuple[np.ndarray, int]:
    return instance.features, label


def _partition_sums(pairs: Iterator[tuple[Any, Any]], columns: list[int], points: SplitPoints,
                    nsquare: int) -> BinSums:
    rows = list(pairs)
    bins = points.bins(np.vstack([features for _, (features, _) in rows])[:, columns])
    modulus = gmpy2.mpz(nsquare)
    labels = [gmpy2.mpz(label) for _, (_, label) in rows]
    sums = []
    for position in range(len(columns)):
        events = [gmpy2.mpz(1)] * points.bin_counts[position]
        for row, index in enumerate(bins[:, position].tolist()):
            events[index] = events[index] * labels[row] % modulus
        counts = np.bincount(bins[:, position], minlength=points.bin_counts[position]).tolist()
        sums.append([[int(event), count] for event, count in zip(events, counts)])
    return sums


def _combined(left: BinSums, right: BinSums, nsquare: int) -> BinSums:
    return [[[one[0] * other[0] % nsquare, one[1] + other[1]] for one, other in zip(left_column, right_column)]
            for left_column, right_column in zip(left, right)]


def encrypted_bin_sums(table: ComputingTable, labels: ComputingTable, columns: list[int], points: SplitPoints,
                       public_key: PublicKey) -> BinSums:
    """The host's re-randomized encrypted events and its row count per bin of `columns`, over the rows whose ids
    the guest's encrypted label table has."""
    joined = table.join(labels, _with_label)
    sums = joined.with_heavy_rows().map_partitions(partial(_partition_sums, columns=columns, points=points,
                                                           nsquare=public_key.nsquare)).reduce(
        partial(_combined, nsquare=public_key.nsquare))
    if sums is None:  # no id in common: every sum is an encrypted zero over no row
        sums = [[[1, 0] for _ in range(count)] for count in points.bin_counts]
    return [[[EncryptedNumber(public_key, events, 0).obfuscated().ciphertext, count] for events, count in column]
            for column in sums]


def _readable(pair: Any, public_key: PublicKey) -> bool:
    return (isinstance(pair, (list, tuple)) and len(pair) == 2 and type(pair[0]) is int
            and 0 < pair[0] < public_key.nsquare and type(pair[1]) is int and 0 <= pair[1] <= MAX_COUNT)


def decrypted_counts(column_sums: Any, private_key: PrivateKey, host: str) -> tuple[list[int], list[int]]:
    """(events, non-events) per bin of one host column; ValueError when what the host sent is not bin sums, or its
    events and counts do not add up."""
    public_key = private_key.public_key
    if not isinstance(column_sums, list) or not all(_readable(pair, public_key) for pair in column_sums):
        raise ValueError(f"host {host} sent encrypted bin sums the guest cannot read")
    events = [int(private_key.decrypt(EncryptedNumber(public_key, ciphertext, 0))) for ciphertext, _ in column_sums]
    if not all(0 <= event <= count for event, (_, count) in zip(events, column_sums)):
        raise ValueError(f"host {host} sent bin sums whose events do not fit their row counts")
    return events, [count - event for event, (_, count) in zip(events, column_sums)]
