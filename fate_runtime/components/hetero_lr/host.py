"""A host's side of HeteroLR: it encrypts its partial forwards and computes its gradient from encrypted residuals."""

from __future__ import annotations

import functools

import numpy as np

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.hetero_lr.blocks import PartyRows
from fate_runtime.components.hetero_lr.cipher_blocks import CipherBlock, added, encrypted_forward, gradient
from fate_runtime.components.hetero_lr.model import Weights
from fate_runtime.components.hetero_lr.scoring import GUEST, received_layout
from fate_runtime.components.hetero_lr.training import PartyTraining, StepTimes, received_public_key
from storage.computing import ComputingTable


def train(ctx: ComponentContext, rows: PartyRows, header: list[str]) -> tuple[Weights, PartyTraining]:
    public_key = received_public_key(ctx)
    layout = received_layout(ctx, rows, "train")
    batches = [rows.blocks(ctx.store, ctx.store.temp_namespace, f"batch.{b}", layout, b)
               for b in range(len(layout.batches))]
    positions = [np.fromiter((rows.position[key] for block in batch for key in block), dtype=np.int64)
                 for batch in layout.batches]
    state = PartyTraining.start(ctx, public_key, rows.block.features, fit_intercept=False)
    single_host = len(ctx.parties("host")) == 1
    for iteration in range(ctx.params["max_iter"]):
        start = state.weights.copy()
        for number, blocks in enumerate(batches):
            tag = f"{iteration}.{number}"
            if single_host:
                _send_loss_part(ctx, state, rows.block.features[positions[number]], tag)
            _batch(ctx, state, blocks, layout.rows(number), tag)
        if state.end_iteration(iteration, start):
            break
    return Weights(header, state.weights), state


def _send_loss_part(ctx: ComponentContext, state: PartyTraining, features: np.ndarray, tag: str) -> None:
    """The host's own loss terms, encrypted: 0.125 mean(u_host^2) and its penalty."""
    forward = features @ state.weights
    part = state.public_key.encrypt(float(0.125 * np.dot(forward, forward) / len(forward)
                                          + state.optimizer.penalty_loss(state.weights)))
    ctx.federation.remote((part.ciphertext, part.exponent), "host_loss_part", tag, ctx.parties(GUEST))


def _batch(ctx: ComponentContext, state: PartyTraining, blocks: ComputingTable, rows: int, tag: str) -> None:
    guest, n = ctx.parties(GUEST), state.public_key.n
    mode = ctx.params["encrypt_param"]["obfuscation"]
    times = StepTimes()
    forwards = blocks.map_values(functools.partial(encrypted_forward, weights=state.weights, n=n, mode=mode))
    times.done("encrypted forwards")
    ctx.federation.remote(forwards, "host_forward", tag, guest)
    times.done("forwards sent")
    fore_gradient: ComputingTable = ctx.federation.get("fore_gradient", tag, guest)[0]
    times.done("residuals awaited")
    encrypted: CipherBlock = fore_gradient.with_heavy_rows().join(blocks, functools.partial(
        gradient, n=n, fit_intercept=False, exponents=state.gradient_exponents)).reduce(functools.partial(added, n=n))
    times.done("encrypted gradient")
    state.apply(encrypted, rows, tag, times)
    for table in (forwards, fore_gradient):
        table.destroy()
