"""Hypothesis settings and strategies of the storage tests (imported by test modules only)."""

from __future__ import annotations

import gmpy2
import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Each example of a table test touches disk (and maybe the worker pool): few examples, no
# deadline, and the same examples on every run.
table_settings = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

codec_settings = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

big_ints = st.integers(min_value=-(2**300), max_value=2**300)

NUMPY_DTYPES = ["<i1", "<u1", "<i2", ">i4", "<u4", "<i8", "<u8", "<f2", "<f4", ">f8", "<c16", "|b1", "<U3", "|S4", "<M8[s]"]

numpy_arrays = st.sampled_from(NUMPY_DTYPES).flatmap(
    lambda dtype: hnp.arrays(
        dtype=np.dtype(dtype),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
    )
)

numpy_scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.integers(0, 255).map(np.uint8),
    st.floats(width=32).map(np.float32),
    st.floats().map(np.float64),
    st.booleans().map(np.bool_),
)

mpz_values = big_ints.map(gmpy2.mpz)

# Values that can be dict keys and set members. No nan: nan is never equal to itself,
# so a reference dict could not look it up.
hashable_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    big_ints,
    st.floats(allow_nan=False),
    st.text(max_size=6),
    st.binary(max_size=6),
)
hashables = st.recursive(hashable_leaves, lambda inner: st.lists(inner, max_size=3).map(tuple), max_leaves=6)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    big_ints,
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=12),
    numpy_arrays,
    numpy_scalars,
    mpz_values,
)

values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(hashables, inner, max_size=4),
        st.sets(hashables, max_size=4),
    ),
    max_leaves=20,
)

# Table keys: ints and short strings (never equal to each other, unlike 1 and 1.0 or True,
# which Python dicts merge but the store keeps apart) and tuples of them. Short, because an
# encoded LMDB key is at most 511 bytes.
table_keys = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=8),
    st.tuples(st.integers(-1000, 1000), st.text(max_size=4)),
)

# Table values: anything with a plain `==` (no nan), small.
table_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8), st.binary(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=6,
)

pair_lists = st.lists(st.tuples(table_keys, table_values), max_size=60)
int_pair_lists = st.lists(st.tuples(table_keys, st.integers(-(10**6), 10**6)), max_size=60)
# Every partition is an LMDB environment to create and open: keep the counts small.
partition_counts = st.sampled_from([1, 2, 3, 4, 7])
