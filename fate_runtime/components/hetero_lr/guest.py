"""The guest's side of HeteroLR: it holds the labels, combines encrypted host forwards into residuals and the loss."""

from __future__ import annotations

import functools

import numpy as np

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.hetero_lr.blocks import PartyRows, guest_layout
from fate_runtime.components.hetero_lr.cipher_blocks import (CipherBlock, LossTerms, added, gradient, loss_terms,
                                                             residuals, summed_loss_terms)
from fate_runtime.components.hetero_lr.model import Weights
from fate_runtime.components.hetero_lr.scoring import HOST, check_hosts_have_rows
from fate_runtime.components.hetero_lr.training import ARBITER, PartyTraining, StepTimes, received_public_key
from fate_runtime.crypto import EncryptedNumber
from storage.computing import ComputingTable


def check_labels(rows: PartyRows) -> None:
    """ValueError unless every row has a label of 0 or 1 (binary HeteroLR)."""
    labels = rows.block.labels
    if not len(rows.block):
        raise ValueError("HeteroLR's train data of the guest has no rows")
    if labels is None:
        raise ValueError("HeteroLR needs the guest's labels: its input data has rows without a label")
    wrong = int(((labels != 0) & (labels != 1)).sum())
    if wrong:
        raise ValueError(f"HeteroLR is binary and needs labels 0 and 1: {wrong} rows of the guest have another "
                         "label")


def train(ctx: ComponentContext, rows: PartyRows, header: list[str], partitions: int) -> tuple[Weights,
                                                                                              PartyTraining]:
    check_labels(rows)
    hosts, arbiter = ctx.parties(HOST), ctx.parties(ARBITER)
    public_key = received_public_key(ctx)
    params = ctx.params
    fit_intercept = params["init_param"]["fit_intercept"]
    layout = guest_layout(rows.block.ids, params["batch_size"], partitions, ctx.store.parallelism())
    ctx.federation.remote(layout, "batch_layout", "train", hosts)
    ctx.federation.remote(len(layout.batches), "batch_info", "train", arbiter)
    check_hosts_have_rows(ctx, layout, "train")
    batches = [rows.blocks(ctx.store, ctx.store.temp_namespace, f"batch.{b}", layout, b)
               for b in range(len(layout.batches))]
    state = PartyTraining.start(ctx, public_key, rows.block.features, fit_intercept)
    for iteration in range(params["max_iter"]):
        start = state.weights.copy()
        for number, blocks in enumerate(batches):
            _batch(ctx, state, blocks, layout.rows(number), f"{iteration}.{number}")
        if state.end_iteration(iteration, start):
            break
    weights = state.weights
    coefficients, intercept = (weights[:-1], float(weights[-1])) if fit_intercept else (weights, 0.0)
    return Weights(header, coefficients, intercept), state


def _batch(ctx: ComponentContext, state: PartyTraining, blocks: ComputingTable, rows: int, tag: str) -> None:
    hosts = ctx.parties(HOST)
    n = state.public_key.n
    fit_intercept = ctx.params["init_param"]["fit_intercept"]
    coefficients, intercept = (state.weights[:-1], float(state.weights[-1])) if fit_intercept else (state.weights,
                                                                                                      0.0)
    times = StepTimes()
    host_forwards: list[ComputingTable] = ctx.federation.get("host_forward", tag, hosts)
    times.done("forwards awaited")
    combined = host_forwards[0]
    for other in host_forwards[1:]:
        combined = combined.join(other, functools.partial(added, n=n))
    fore_gradient = blocks.join(combined, functools.partial(residuals, weights=coefficients, intercept=intercept,
                                                            n=n))
    times.done("residuals")
    ctx.federation.remote(fore_gradient, "fore_gradient", tag, hosts)
    times.done("residuals sent")
    if len(hosts) == 1:  # FATE's loss needs products of host forwards: it is computed with one host only
        _send_loss(ctx, state, blocks, host_forwards[0], coefficients, intercept, rows, tag)
        times.done("loss")
    encrypted: CipherBlock = fore_gradient.join(blocks, functools.partial(
        gradient, n=n, fit_intercept=fit_intercept, exponents=state.gradient_exponents)).reduce(functools.partial(added, n=n))
    times.done("encrypted gradient")
    state.apply(encrypted, rows, tag, times)
    for table in (fore_gradient, *host_forwards):
        table.destroy()


def _send_loss(ctx: ComponentContext, state: PartyTraining, blocks: ComputingTable, host_forward: ComputingTable,
               coefficients: np.ndarray, intercept: float, rows: int, tag: str) -> None:
    """The encrypted mean Taylor loss of the batch with the penalties of every party, sent to the arbiter."""
    key = state.public_key
    terms: LossTerms = blocks.join(host_forward, functools.partial(
        loss_terms, weights=coefficients, intercept=intercept, n=key.n)).reduce(
        functools.partial(summed_loss_terms, n=key.n))
    host_part_ciphertext, host_part_exponent = ctx.federation.get("host_loss_part", tag, ctx.parties(HOST))[0]
    host_part = EncryptedNumber(key, host_part_ciphertext, host_part_exponent)
    batch_sum = EncryptedNumber(key, terms.cross.ciphertexts[0], terms.cross.exponent) + terms.clear
    loss = batch_sum * (1.0 / rows) + host_part + state.optimizer.penalty_loss(state.weights)
    ctx.federation.remote((loss.ciphertext, loss.exponent), "loss", tag, ctx.parties(ARBITER))
