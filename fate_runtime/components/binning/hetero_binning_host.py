"""The host's side of HeteroFeatureBinning (FATE's HeteroFeatureBinningHost): it bins its own columns and sums the
guest's encrypted labels per bin, learning neither labels nor counts."""

from __future__ import annotations

from fate_runtime.components.binning import model
from fate_runtime.components.binning.columns import anonymous_name
from fate_runtime.components.binning.secure_counts import encrypted_bin_sums
from fate_runtime.components.binning.steps import fitted, save_output
from fate_runtime.components.context import ComponentContext
from fate_runtime.crypto import PublicKey
from storage.computing import ComputingTable

GUEST, HOST = "guest", "host"


def fit(ctx: ComponentContext, table: ComputingTable) -> None:
    params = ctx.params
    columns, points = fitted(ctx, table)
    if not params["local_only"]:
        guest = ctx.parties(GUEST)
        modulus = ctx.federation.get("paillier_pubkey", 0, guest)[0]
        if type(modulus) is not int or modulus < 3:
            raise ValueError("the guest sent no Paillier public key")
        labels = ctx.federation.get("encrypted_label", 0, guest)[0]
        sums = encrypted_bin_sums(table, labels, list(columns.binned), points, PublicKey(modulus))
        named = {anonymous_name(column): column_sums for column, column_sums in zip(columns.binned, sums)}
        ctx.federation.remote(named, "encrypted_bin_sum", 0, guest)
        ctx.log.info("sent the encrypted event counts of %d columns to the guest", len(columns.binned))
    save_output(ctx, table, params["transform_param"]["transform_type"], columns, points, None)
    own = model.party_result(HOST, ctx.party_id, {name: model.iv_param(points.column(position), None)
                                                  for position, name in enumerate(columns.binned_names)})
    ctx.models.save(model.model(params, columns, own))
