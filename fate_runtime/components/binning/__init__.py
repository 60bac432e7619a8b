"""HeteroFeatureBinning (FATE 1.2): split points of every chosen column, and the IV and WOE of every bin.

What each role sends and learns:
- The guest bins its own columns and computes their WOE and IV from its labels. Unless `local_only`, it makes a
  Paillier key pair (1024 bits, as FATE) and sends every host the public key and, for every row id, the
  encryptions of y and 1 - y (its labels 0/1). It receives, per host column, the encrypted event and non-event
  counts of every bin under an anonymous name ("host.<index>") and decrypts them: it learns how many rows of each
  label fall in each bin of each host column, and so the host columns' WOE and IV - never a host value, split
  point or column name, nor which rows share a bin (the host re-randomizes every sum).
- A host receives the public key and ciphertexts only (blinded with fixed-base factors h^s, 256-bit s, as
  HeteroLR's default; fate_runtime.crypto.obfuscators says what assumption this rests on): it learns the ids of
  the guest's rows (as the intersection already told it), never a label or a count. It sends only encrypted sums. It keeps its split points.
- The arbiter takes no part (FATE runs binning on the guest and hosts only).
Output data: the input rows unchanged (our default, where FATE 1.2's is "bin_num": its own hetero LR example
then trains on bin indexes), or the transformed columns replaced by their bin index (`transform_type`
"bin_num") or, at the guest, their bin's WOE ("woe"; a host's rows then stay unchanged). Model: FATE's
FeatureBinningMeta and FeatureBinningParam, the guest's holding the hosts' results. Predict replays the split
points. FATE logs no metrics for binning; the IVs are in the model.
"""

from __future__ import annotations

from fate_runtime.components.binning import hetero_binning_guest, hetero_binning_host
from fate_runtime.components.binning.params import PARAMS
from fate_runtime.components.binning.predict import predict
from fate_runtime.components.binning.steps import MODULE, input_table
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.spec import ComponentSpec
from federation import TransferVariable

GUEST, HOST = "guest", "host"

VARIABLES = (TransferVariable("paillier_pubkey", GUEST, (HOST,)),
             TransferVariable("encrypted_label", GUEST, (HOST,)),
             TransferVariable("encrypted_bin_sum", HOST, (GUEST,)))


def run(ctx: ComponentContext) -> None:
    table = input_table(ctx, MODULE)
    if ctx.predicting:
        predict(ctx, table)
    elif ctx.role == GUEST:
        hetero_binning_guest.fit(ctx, table)
    else:
        hetero_binning_host.fit(ctx, table)


SPEC = ComponentSpec(
    module=MODULE,
    roles=(GUEST, HOST),
    params=PARAMS,
    variables=VARIABLES,
    run=run,
    required_roles=(GUEST,),
    deploy=True,
)
