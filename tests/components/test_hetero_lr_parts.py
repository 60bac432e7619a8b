"""HeteroLR's parts on their own: FATE's optimizer rules, initial weights, the guest's layout of batches and
blocks, masking."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from fate_runtime.components.hetero_lr.arbiter import GradientSizes
from fate_runtime.components.hetero_lr.blocks import BLOCK_ROWS, Layout, checked_layout, guest_layout
from fate_runtime.components.hetero_lr.cipher_blocks import CipherBlock
from fate_runtime.components.hetero_lr.masking import decrypted_mantissas, masked, unmasked
from fate_runtime.components.hetero_lr.optimizers import OPTIMIZER_CLASSES, Optimizer
from fate_runtime.components.hetero_lr.scoring import check_hosts_have_rows
from fate_runtime.components.hetero_lr.training import initial_weights
from fate_runtime.crypto import generate_keypair

GRADIENTS = [np.array([0.5, -0.2, 0.1]), np.array([0.3, 0.1, -0.4]), np.array([-0.1, 0.2, 0.05])]


def _fate_deltas(name: str, lr: float = 0.1) -> list[np.ndarray]:
    """FATE 1.2's update rules written out, with decay 1 and decay_sqrt (lr / sqrt(1 + t))."""
    deltas, m, v = [], np.zeros(3), np.zeros(3)
    b1 = b2 = 1.0
    for t, g in enumerate(GRADIENTS):
        rate = lr / np.sqrt(1 + t)
        if name == "sgd":
            deltas.append(rate * g)
        elif name == "rmsprop":
            m = 0.99 * m + 0.01 * g * g
            deltas.append(rate * g / np.sqrt(m + 1e-6))
        elif name == "adagrad":
            m = m + g * g
            deltas.append(rate * g / (np.sqrt(m) + 1e-7))
        elif name == "nesterov_momentum_sgd":
            velocity = 0.9 * m - rate * g
            deltas.append(0.9 * m - 1.9 * velocity)
            m = velocity
        else:
            b1, b2 = b1 * 0.9, b2 * 0.999
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
            deltas.append(rate * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + 1e-8))
    return deltas


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CLASSES))
def test_each_optimizer_steps_as_fate_does(name: str) -> None:
    optimizer = OPTIMIZER_CLASSES[name](0.1, 0.0, None, 1.0, True, fit_intercept=False)
    weights = np.zeros(3)
    for iteration, (gradient, delta) in enumerate(zip(GRADIENTS, _fate_deltas(name))):
        optimizer.iteration = iteration
        moved = optimizer.update(weights, gradient)
        assert np.allclose(weights - moved, delta)
        weights = moved


def test_l2_adds_alpha_w_to_the_gradient_but_not_for_the_intercept() -> None:
    optimizer = Optimizer(1.0, 0.5, "L2", 0.0, True, fit_intercept=True)
    moved = optimizer.update(np.array([2.0, 4.0]), np.array([0.0, 0.0]))
    assert np.allclose(moved, [1.0, 4.0])
    assert optimizer.penalty_loss(np.array([2.0, 4.0])) == pytest.approx(0.5 * 0.5 * 4.0)


def test_l1_shrinks_coefficients_towards_zero() -> None:
    optimizer = Optimizer(1.0, 0.3, "L1", 0.0, True, fit_intercept=False)
    assert np.allclose(optimizer.update(np.array([1.0, -0.2, 0.1]), np.zeros(3)), [0.7, 0.0, 0.0])
    assert optimizer.penalty_loss(np.array([1.0, -2.0])) == pytest.approx(0.9)


def test_initial_weights_follow_fates_init_methods() -> None:
    uniform = initial_weights({"init_method": "random_uniform", "random_seed": 3, "init_const": 1.0}, 50)
    assert uniform.min() >= 0.0 and uniform.max() < 1.0
    assert np.array_equal(uniform, initial_weights({"init_method": "random_uniform", "random_seed": 3,
                                                    "init_const": 1.0}, 50))
    assert np.array_equal(initial_weights({"init_method": "const", "init_const": 2.5, "random_seed": None}, 2),
                          [2.5, 2.5])
    assert np.array_equal(initial_weights({"init_method": "ones", "random_seed": None, "init_const": 1}, 2), [1, 1])
    assert np.array_equal(initial_weights({"init_method": "zeros", "random_seed": None, "init_const": 1}, 2), [0, 0])


def test_batches_are_consecutive_ids_in_table_order_cut_into_blocks() -> None:
    ids = list(range(2 * BLOCK_ROWS + 10))
    whole = guest_layout(ids, -1, 8)
    assert len(whole.batches) == 1 and [len(b) for b in whole.batches[0]] == [2734, 2734, 2734]
    assert whole.partitions == 3 and whole.total() == len(ids)
    assert sum(whole.batches[0], []) == ids


def test_a_batch_is_cut_into_a_multiple_of_the_workers_where_rows_allow() -> None:
    ids = list(range(10_000))
    assert [len(b) for b in guest_layout(ids, -1, 8, workers=2).batches[0]] == [2500] * 4
    assert [len(b) for b in guest_layout(ids[:600], -1, 8, workers=2).batches[0]] == [300, 300]
    assert [len(b) for b in guest_layout(ids[:300], -1, 8, workers=2).batches[0]] == [300]
    assert guest_layout(ids, -1, 1, workers=2).partitions == 2
    batched = guest_layout(ids[:25], 10, 4)
    assert batched.batches == [[ids[0:10]], [ids[10:20]], [ids[20:25]]] and batched.partitions == 1
    assert guest_layout(ids[:5], 320, 4).batches == [[ids[:5]]]


def test_masks_hide_the_gradient_from_the_arbiter_and_come_off_exactly() -> None:
    public_key, private_key = generate_keypair(1024)
    exponent = -60
    mantissas = [12345678901234567, -98765432109876543, 0]
    block = CipherBlock([public_key.raw_encrypt(m % public_key.n) for m in mantissas], exponent)
    hidden, masks = masked(public_key, block)
    seen = decrypted_mantissas(private_key, hidden)
    assert all(abs(value) > public_key.n >> 64 for value in seen[:2])
    exponents = [exponent, exponent + 20, exponent - 7]  # each column's own scale, known to the party alone
    assert np.allclose(unmasked(seen, masks, exponents, 2),
                       [np.ldexp(m, e) / 2 for m, e in zip(mantissas, exponents)], rtol=1e-15, atol=0)
    with pytest.raises(ValueError, match="returned 2 gradient values for 3 sent"):
        unmasked(seen[:2], masks, exponents, 1)


@pytest.mark.parametrize("layout, message", [
    ("not a layout", "malformed"),
    (Layout([], 2), "malformed"),
    (Layout([["a", "b"]], 2), "malformed"),  # (a batch of ids, not of blocks)
    (Layout([[["a", 1.5]]], 2), "malformed"),
    (Layout([[["a", "b"]], [["b"]]], 2), "names an id twice"),
    (Layout([[["a"]]], 0), "asks for 0 partitions"),
    (Layout([[["a"]]], 10**6), "asks for 1000000 partitions"),
])
def test_a_layout_from_the_guest_is_checked_before_use(layout: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        checked_layout(layout)
    assert checked_layout(Layout([[["a", 1]], [["c"]]], 2)).total() == 3


def test_the_arbiter_decrypts_no_more_values_than_a_partys_first_gradient() -> None:
    sizes = GradientSizes()
    sizes.check(("host", "10000"), CipherBlock([1, 2, 3], -77))
    sizes.check(("guest", "9999"), CipherBlock([1] * 11, -77))
    assert sizes.check(("host", "10000"), CipherBlock([4, 5, 6], -77)).ciphertexts == [4, 5, 6]
    with pytest.raises(ValueError, match="host 10000 sent 569 gradient values after 3"):
        sizes.check(("host", "10000"), CipherBlock(list(range(569)), -77))
    with pytest.raises(ValueError, match="guest 9999 sent a masked gradient that is not a block of ciphertexts"):
        sizes.check(("guest", "9999"), [1, 2])


@pytest.mark.parametrize("answer, message", [
    ("3", "host 10000 answered the batch layout with '3' missing rows"),
    (99, "host 10000 answered the batch layout with 99 missing rows"),
    (2, "host 10000 has no row for 2 of the guest's 3 ids"),
    (3, "host 10000 has none of the guest's ids"),
])
def test_the_guest_checks_each_hosts_missing_row_count(answer: object, message: str) -> None:
    context = SimpleNamespace(parties=lambda role: [(role, "10000")],
                              federation=SimpleNamespace(get=lambda name, tag, parties: [answer]))
    with pytest.raises(ValueError, match=message):
        check_hosts_have_rows(context, Layout([[["a", "b", "c"]]], 1), "train")  # type: ignore[arg-type]
