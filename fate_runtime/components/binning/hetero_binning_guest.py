"""The guest's side of HeteroFeatureBinning (FATE's HeteroFeatureBinningGuest): IV of its own columns from its
labels, and of every host's columns from their encrypted event counts."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from fate_runtime.components.binning import model
from fate_runtime.components.binning.iv import ColumnIV, column_iv, partition_label_counts
from fate_runtime.components.binning.secure_counts import decrypted_counts, encrypted_labels
from fate_runtime.components.binning.steps import fitted, save_output
from fate_runtime.components.context import ComponentContext
from fate_runtime.crypto import PrivateKey, generate_keypair
from protos.binning_model_pb2 import IVParam
from storage.computing import ComputingTable

GUEST, HOST = "guest", "host"
KEY_LENGTH = 1024  # FATE 1.2's Paillier key for binning (its PaillierEncrypt default; binning has no encrypt_param)


def _host_columns(sums: Any, private_key: PrivateKey, host: str, adjustment_factor: float) -> dict[str, IVParam]:
    """A host's columns (by their anonymous names) with the IV of their decrypted counts."""
    if not isinstance(sums, dict) or not all(isinstance(name, str) for name in sums):
        raise ValueError(f"host {host} sent encrypted bin sums the guest cannot read")
    columns = {}
    for name, column_sums in sums.items():
        events, non_events = decrypted_counts(column_sums, private_key, host)
        if not sum(events) + sum(non_events):
            raise ValueError(f"no id of host {host}'s rows is among the guest's: binning needs the same ids on "
                             "both sides (intersect them first)")
        columns[name] = model.iv_param((), column_iv(events, non_events, adjustment_factor))
    return columns


def fit(ctx: ComponentContext, table: ComputingTable) -> None:
    params = ctx.params
    columns, points = fitted(ctx, table)
    binned = list(columns.binned)
    counts = table.map_partitions(partial(partition_label_counts, columns=binned, points=points)).reduce(np.add)
    results: list[ColumnIV] = []  # first: labels that cannot give an IV are refused before anything is sent
    for position in range(len(binned)):
        bins = points.bin_counts[position]
        results.append(column_iv(counts[position, :bins, 0], counts[position, :bins, 1], params["adjustment_factor"]))
    own = model.party_result(GUEST, ctx.party_id, {
        name: model.iv_param(points.column(position), result)
        for position, (name, result) in enumerate(zip(columns.binned_names, results))})
    hosts = [] if params["local_only"] else ctx.parties(HOST)
    if hosts:
        public_key, private_key = generate_keypair(KEY_LENGTH)
        ctx.federation.remote(public_key.n, "paillier_pubkey", 0, hosts)
        ctx.federation.remote(encrypted_labels(table, public_key), "encrypted_label", 0, hosts)
        ctx.log.info("sent the encrypted labels to %d host(s)", len(hosts))
    host_results = []
    if hosts:
        for (_, host), sums in zip(hosts, ctx.federation.get("encrypted_bin_sum", 0, hosts)):
            host_results.append(model.party_result(HOST, host, _host_columns(sums, private_key, host,
                                                                             params["adjustment_factor"])))
        ctx.log.info("computed the IV of %d host(s)' columns", len(hosts))
    save_output(ctx, table, params["transform_param"]["transform_type"], columns, points,
                [result.woe for result in results])
    ctx.models.save(model.model(params, columns, own, host_results))
