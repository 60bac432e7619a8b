"""Paillier benchmark: encrypt, decrypt, add and multiply by a float, ops/s at 1024 and 2048 bits, one core.

Usage: python benchmarks/paillier_bench.py [--quick]
Ours is fate_runtime.crypto (fixed-point floats, fresh obfuscator per encryption, CRT decryption). The
baseline, measured in the same run, is the textbook operation as raw gmpy2 calls on the same key and
values: encryption (1 + m n) r^n mod n^2 with r^n by one powmod, decryption L(c^lambda mod n^2) mu mod n
without CRT, addition one multiplication mod n^2, multiplication one powmod by the float's 53-bit
mantissa. `RESULT paillier_<op>_<bits>_ops_per_s value=<ours> baseline=<raw gmpy2> ratio=<ours/raw>`.
Not yet here: precomputed obfuscators and several cores (what hetero LR will use).
"""

from __future__ import annotations

import argparse
import random
import secrets
import time
from typing import Callable

import gmpy2

from bench_common import result_line
from fate_runtime.crypto import PrivateKey, PublicKey, generate_keypair


def _ops_per_second(operation: Callable[[int], object], count: int) -> float:
    started = time.perf_counter()
    for index in range(count):
        operation(index)
    return count / (time.perf_counter() - started)


def _raw_operations(public: PublicKey, private: PrivateKey, mantissas: list[int],
                    ciphertexts: list[int]) -> dict[str, Callable[[int], object]]:
    """The textbook operations as plain gmpy2 calls."""
    n, nsquare = public.n, public.nsquare
    lam = gmpy2.lcm(private.p - 1, private.q - 1)
    mu = gmpy2.invert((gmpy2.powmod(n + 1, lam, nsquare) - 1) // n, n)
    size = len(mantissas)
    return {
        "encrypt": lambda i: (1 + mantissas[i % size] * n) * gmpy2.powmod(secrets.randbelow(n - 1) + 1, n, nsquare)
        % nsquare,
        "decrypt": lambda i: (gmpy2.powmod(ciphertexts[i % size], lam, nsquare) - 1) // n * mu % n,
        "add": lambda i: ciphertexts[i % size] * ciphertexts[(i + 1) % size] % nsquare,
        "multiply": lambda i: gmpy2.powmod(ciphertexts[i % size], mantissas[(i + 1) % size], nsquare),
    }


def run(bits: int, counts: dict[str, int]) -> None:
    public, private = generate_keypair(bits)
    rng = random.Random(bits)
    values = [rng.uniform(-10, 10) for _ in range(64)]
    encrypted = [public.encrypt(value) for value in values]
    mantissas = [abs(int(value * 2**52)) for value in values]
    ciphertexts = [number.ciphertext for number in encrypted]
    size = len(values)
    ours: dict[str, Callable[[int], object]] = {
        "encrypt": lambda i: public.encrypt(values[i % size]),
        "decrypt": lambda i: private.decrypt(encrypted[i % size]),
        "add": lambda i: encrypted[i % size] + encrypted[(i + 1) % size],
        "multiply": lambda i: encrypted[i % size] * values[(i + 1) % size],
    }
    raw = _raw_operations(public, private, mantissas, ciphertexts)
    for name, count in counts.items():
        print(result_line(f"paillier_{name}_{bits}_ops_per_s", _ops_per_second(ours[name], count),
                          _ops_per_second(raw[name], count)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer operations (a few seconds)")
    args = parser.parse_args()
    scale = 1 if args.quick else 5
    for bits in (1024, 2048):
        slow = 40 * scale if bits == 1024 else 10 * scale
        run(bits, {"encrypt": slow, "decrypt": 4 * slow, "add": 4000 * scale, "multiply": 40 * slow})


if __name__ == "__main__":
    main()
