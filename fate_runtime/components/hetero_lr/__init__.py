"""HeteroLR (FATE's module): logistic regression on features split between a guest (with labels) and hosts,
trained under Paillier encryption with an arbiter holding the key.

Per batch of rows (the same ids on every party, laid out by the guest):
- arbiter: makes the key pair and sends the public key to guest and hosts. It receives each party's
  gradient encrypted AND masked with random numbers only that party knows, decrypts it and returns it
  (so it sees only masked values), and the encrypted mean loss, which it decrypts, records and judges
  convergence by (with weight_diff: the encrypted sums of the parties' squared weight changes). It
  learns the losses and the batch count, nothing else.
- host: sends the guest its encrypted 0.25 w_h x_h per row (and, with one host, the encrypted sum of
  its squared forwards and penalty for the loss); receives the encrypted residuals d and computes its
  encrypted gradient sum_i d_i x_i, which it masks. It learns the guest's ids and batches (as in FATE),
  nothing of labels or guest features: everything it receives about them is encrypted.
- guest: adds its clear 0.25 (w_g x_g + b) - 0.5 y to the hosts' encrypted forwards (y as -1/+1), sends
  the encrypted residuals to the hosts, computes its own encrypted gradient and the encrypted loss. It
  sees host contributions only encrypted; after training it receives hosts' clear partial scores
  w_h x_h to score rows (as FATE does), never host features or weights.
Each party steps its own weights with its own optimizer state (all of FATE's rules are per weight),
so the results equal FATE's arbiter-side optimizer while no party's gradient is seen in the clear.

Security note: by default (encrypt_param.obfuscation "fixed_base") hosts blind their ciphertexts with
h^s for a fixed h = r0^n and random 256-bit s, computed from a precomputed table: about twenty times
faster than a fresh r^n, and secure under the assumption that such short exponents are as hard as
full-size ones (the "short exponent" variant of the decisional composite residuosity assumption).
"fresh" draws a full r^n for each ciphertext, as FATE does.

Precision: each party's features enter its encrypted gradient as fixed-point numbers keeping 20 significant
bits of their column's largest magnitude (cipher_blocks.FEATURE_BITS; FATE keeps a double's 53), which errs by
at most 2^-21 of the column's scale per entry and makes each ciphertext-by-feature product cheaper.
"""

from __future__ import annotations

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.hetero_lr import arbiter, guest, host
from fate_runtime.components.hetero_lr.blocks import PartyRows
from fate_runtime.components.hetero_lr.model import (META, PARAM, Weights, aligned_features, loaded_weights,
                                                     model_meta, model_param)
from fate_runtime.components.hetero_lr.params import PARAMS, check_supported
from fate_runtime.components.hetero_lr.scoring import GUEST, HOST, OUTPUT_HEADER, guest_scores, host_scores
from fate_runtime.components.hetero_lr.training import ARBITER
from fate_runtime.components.instances import header
from fate_runtime.components.spec import ComponentSpec
from federation import TransferVariable
from storage.computing import ComputingTable

VARIABLES = (
    TransferVariable("paillier_pubkey", ARBITER, (GUEST, HOST)),
    TransferVariable("batch_layout", GUEST, (HOST,)),
    TransferVariable("batch_info", GUEST, (ARBITER,)),
    TransferVariable("host_missing_rows", HOST, (GUEST,)),
    TransferVariable("host_forward", HOST, (GUEST,)),
    TransferVariable("host_loss_part", HOST, (GUEST,)),
    TransferVariable("fore_gradient", GUEST, (HOST,)),
    TransferVariable("guest_masked_gradient", GUEST, (ARBITER,)),
    TransferVariable("host_masked_gradient", HOST, (ARBITER,)),
    TransferVariable("guest_decrypted_gradient", ARBITER, (GUEST,)),
    TransferVariable("host_decrypted_gradient", ARBITER, (HOST,)),
    TransferVariable("loss", GUEST, (ARBITER,)),
    TransferVariable("weight_norms", GUEST, (ARBITER,)),
    TransferVariable("weight_norms", HOST, (ARBITER,)),
    TransferVariable("converge_info", ARBITER, (GUEST, HOST)),
    TransferVariable("host_prob", HOST, (GUEST,)),
)


def _input(ctx: ComponentContext, *keys: str) -> ComputingTable | None:
    for key in keys:
        tables = ctx.inputs.get(key)
        if tables:
            return tables[0]
    return None


def _rows(ctx: ComponentContext, table: ComputingTable, names: list[str]) -> PartyRows:
    rows = PartyRows.of(table, len(header(table)))
    columns = aligned_features(names, header(table), ctx.component)
    if columns != list(range(len(header(table)))):
        rows.block.features = rows.block.features[:, columns]
    return rows


def _scored(ctx: ComponentContext, weights: Weights, table: ComputingTable, kind: str) -> ComputingTable | None:
    """The guest's prediction rows of `table` (FATE's type column says `kind`); None on a host, which only helps."""
    rows = _rows(ctx, table, weights.header)
    if ctx.role == HOST:
        host_scores(ctx, rows, weights, f"score.{kind}")
        return None
    return guest_scores(ctx, rows, weights, table.partitions, f"score.{kind}", kind)


def _save_output(ctx: ComponentContext, results: list[ComputingTable | None], source: ComputingTable) -> None:
    """The guest's prediction rows of every scored table in one output table, as FATE unions them."""
    scored = [table for table in results if table is not None]
    if not scored:
        return
    combined = scored[0]
    for other in scored[1:]:
        combined = combined.union(other)
    namespace, name = ctx.output_name("data")
    output = combined.save_as(name, namespace=namespace, partitions=source.partitions)
    output.set_schema({"header": OUTPUT_HEADER, "sid_name": source.schema.get("sid_name")})
    ctx.tracker.save_output_data("data", output)


def run(ctx: ComponentContext) -> None:
    check_supported(ctx.params)
    if ctx.role == ARBITER:
        if not ctx.predicting:  # (in predict jobs the arbiter has nothing to do, as in FATE)
            iterations, losses, converged = arbiter.train(ctx)
            ctx.models.save({META: model_meta(ctx.params), PARAM: model_param(None, iterations, losses, converged)})
        return
    if ctx.predicting:
        table = _input(ctx, "eval_data", "data", "train_data")
        if table is None:
            raise ValueError(f"{ctx.component} of {ctx.role} {ctx.party_id} has no data to predict")
        weights = loaded_weights(ctx.models.inputs("model"), ctx.component)
        _save_output(ctx, [_scored(ctx, weights, table, "predict")], table)
        return
    table = _input(ctx, "train_data", "data")
    if table is None:
        raise ValueError(f"{ctx.component} of {ctx.role} {ctx.party_id} has no train_data")
    names = header(table)
    rows = _rows(ctx, table, names)
    weights, state = (guest.train(ctx, rows, names, table.partitions) if ctx.role == GUEST
                      else host.train(ctx, rows, names))
    ctx.models.save({META: model_meta(ctx.params),
                     PARAM: model_param(weights, state.iterations, state.losses, state.converged)})
    validation = _input(ctx, "eval_data")
    results = [_scored(ctx, weights, table, "train")]
    if validation is not None:
        results.append(_scored(ctx, weights, validation, "validate"))
    _save_output(ctx, results, table)


SPEC = ComponentSpec(
    module="HeteroLR",
    roles=(GUEST, HOST, ARBITER),
    params=PARAMS,
    variables=VARIABLES,
    run=run,
    required_roles=(GUEST, HOST, ARBITER),
    deploy=True,
)
