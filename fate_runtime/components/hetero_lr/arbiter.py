"""The arbiter's side of HeteroLR: it owns the Paillier key, decrypts masked gradients and the loss, judges
convergence."""

from __future__ import annotations

import math

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.hetero_lr.cipher_blocks import CipherBlock
from fate_runtime.components.hetero_lr.masking import decrypted_mantissas
from fate_runtime.components.hetero_lr.scoring import GUEST, HOST
from fate_runtime.components.hetero_lr.training import ConvergeInfo
from fate_runtime.crypto import EncryptedNumber, PrivateKey, generate_keypair

SAFE_KEY_LENGTH = 2048


class Convergence:
    """FATE's early_stop rules with `tol`: diff (loss change), abs (loss), weight_diff (weights' change)."""

    def __init__(self, rule: str, tol: float) -> None:
        self.rule = rule
        self.tol = tol
        self.previous_loss: float | None = None

    def by_loss(self, loss: float | None) -> bool:
        if loss is None:
            return False
        previous, self.previous_loss = self.previous_loss, loss
        if self.rule == "abs":
            return loss <= self.tol
        return self.rule == "diff" and previous is not None and abs(previous - loss) < self.tol

    def by_weights(self, change_square: float, weights_square: float) -> bool:
        return math.sqrt(change_square) < self.tol * max(math.sqrt(weights_square), 1.0)


class GradientSizes:
    """How many values each party's masked gradient has: fixed by its first batch, so that no party can turn the
    arbiter into a decryption service for more ciphertexts than its own gradient (a party could otherwise send it
    the other parties' encrypted residuals to decrypt)."""

    def __init__(self) -> None:
        self._sizes: dict[tuple[str, str], int] = {}

    def check(self, party: tuple[str, str], block: object) -> CipherBlock:
        if not isinstance(block, CipherBlock) or not isinstance(block.ciphertexts, list):
            raise ValueError(f"{party[0]} {party[1]} sent a masked gradient that is not a block of ciphertexts")
        expected = self._sizes.setdefault(party, len(block.ciphertexts))
        if len(block.ciphertexts) != expected:
            raise ValueError(f"{party[0]} {party[1]} sent {len(block.ciphertexts)} gradient values after "
                             f"{expected}: the arbiter decrypts no more than a party's first count")
        return block


def train(ctx: ComponentContext) -> tuple[int, list[float], bool]:
    """(iterations run, loss per iteration, converged)."""
    params = ctx.params
    key_length = params["encrypt_param"]["key_length"]
    if key_length < SAFE_KEY_LENGTH:
        ctx.log.warning("Paillier keys of %d bits are below the %d bits recommended today; set "
                        "encrypt_param.key_length to 2048 or more for real data", key_length, SAFE_KEY_LENGTH)
    public_key, private_key = generate_keypair(key_length)
    guest, hosts = ctx.parties(GUEST), ctx.parties(HOST)
    ctx.federation.remote(public_key.n, "paillier_pubkey", "train", guest + hosts)
    batch_count = int(ctx.federation.get("batch_info", "train", guest)[0])
    if len(hosts) > 1 and params["early_stop"] != "weight_diff":
        ctx.log.warning("with %d hosts the loss is not computed (as in FATE): early_stop %s never stops training "
                        "before max_iter", len(hosts), params["early_stop"])
    convergence, sizes = Convergence(params["early_stop"], params["tol"]), GradientSizes()
    losses: list[float] = []
    for iteration in range(params["max_iter"]):
        batch_losses = [_batch(ctx, private_key, sizes, f"{iteration}.{number}") for number in range(batch_count)]
        loss = None if len(hosts) > 1 else sum(batch_losses) / len(batch_losses)
        if loss is not None:
            losses.append(loss)
            ctx.tracker.log_metric_data("train", "loss", [(iteration, loss)])
            ctx.log.info("iteration %d: loss %.6f", iteration, loss)
        converged = _judge(ctx, convergence, private_key, loss, iteration)
        ctx.federation.remote(ConvergeInfo(converged, loss), "converge_info", iteration, guest + hosts)
        if converged:
            ctx.log.info("converged after %d iterations", iteration + 1)
            break
    ctx.tracker.set_metric_meta("train", "loss", {"metric_type": "LOSS", "name": "loss", "unit_name": "iters",
                                                  "curve_name": "loss"})
    return iteration + 1, losses, converged


def _batch(ctx: ComponentContext, private_key: PrivateKey, sizes: GradientSizes, tag: str) -> float:
    """Decrypt and return every party's masked gradient of one batch; the batch's loss (0 with several hosts,
    which send none)."""
    for role, parties in ((GUEST, ctx.parties(GUEST)), (HOST, ctx.parties(HOST))):
        for party in parties:
            masked = sizes.check(party, ctx.federation.get(f"{role}_masked_gradient", tag, [party])[0])
            ctx.federation.remote(decrypted_mantissas(private_key, masked), f"{role}_decrypted_gradient", tag,
                                  [party])
    if len(ctx.parties(HOST)) > 1:
        return 0.0
    ciphertext, exponent = ctx.federation.get("loss", tag, ctx.parties(GUEST))[0]
    return float(private_key.decrypt(EncryptedNumber(private_key.public_key, ciphertext, exponent)))


def _judge(ctx: ComponentContext, convergence: Convergence, private_key: PrivateKey, loss: float | None,
           iteration: int) -> bool:
    if convergence.rule != "weight_diff":
        return convergence.by_loss(loss)
    public_key = private_key.public_key
    changes: list[EncryptedNumber] = []
    squares: list[EncryptedNumber] = []
    for (change, change_exponent), (square, square_exponent) in ctx.federation.get(
            "weight_norms", iteration, ctx.parties(GUEST) + ctx.parties(HOST)):
        changes.append(EncryptedNumber(public_key, change, change_exponent))
        squares.append(EncryptedNumber(public_key, square, square_exponent))
    # only the sums over every party are decrypted
    return convergence.by_weights(float(private_key.decrypt(sum(changes[1:], changes[0]))),
                                  float(private_key.decrypt(sum(squares[1:], squares[0]))))
