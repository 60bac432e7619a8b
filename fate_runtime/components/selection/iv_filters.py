"""The IV filters, iv_value_thres and iv_percentile, on the binning model given as `isometric_model`.

The guest judges its own columns and, unless `local_only`, every host's: a host sends the anonymous names
("host.<index>", as binning named them) of the columns the filter judges, the guest decides on them by the IVs
its binning model holds and sends back the names kept. A column is kept when its IV is above the threshold: the
value threshold, or for iv_percentile the IV at FATE's rank floor(percentile x columns) of all judged columns'
IVs, highest first (so the column at that rank goes too, as in FATE). When nothing is left, the last judged column
with an IV stays.
"""

from __future__ import annotations

import math
from typing import Any

from fate_runtime.components.binning.columns import anonymous_name
from fate_runtime.components.binning.model import TrainedBinning, trained
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.selection.local_filters import IV_VALUE
from fate_runtime.components.selection.rounds import FilterRound
from fate_runtime.components.selection.statistics import FLOAT_ZERO

GUEST, HOST = "guest", "host"


def binning_model(ctx: ComponentContext, method: str) -> TrainedBinning:
    """The binning model the DSL gives as isometric_model; ValueError when there is none."""
    found = ctx.models.inputs("isometric_model")
    if not found:
        raise ValueError(f"filter {method} needs the HeteroFeatureBinning model as isometric_model")
    source, buffers = next(iter(found.items()))
    return trained(buffers, source)


def fit_iv(round_: FilterRound, ivs: dict[str, float], threshold: float, method: str) -> None:
    """Keeps the judged columns whose IV is above `threshold`."""
    alternative = None
    for position in round_.judged:
        name = round_.header[position]
        if name not in ivs:
            continue
        alternative = position
        round_.values[name] = ivs[name]
        if ivs[name] > threshold:
            round_.keep(position)
    if round_.judged and alternative is None:
        raise ValueError(f"filter {method}: no column it judges has an IV in the binning model (bin them first)")
    if not round_.after() and alternative is not None:
        round_.keep(alternative)


def percentile_threshold(percentile: float, ivs: list[float]) -> float:
    """FATE's threshold: the IV at index floor(percentile x count) of the IVs sorted highest first."""
    if not ivs:
        return math.inf
    ordered = sorted(ivs, reverse=True)
    return ordered[min(max(math.floor(percentile * len(ordered) - FLOAT_ZERO), 0), len(ordered) - 1)]


def _settings(params: dict[str, Any], method: str) -> dict[str, Any]:
    return dict(params["iv_value_param"] if method == IV_VALUE else params["iv_percentile_param"])


def _host_round(names: Any, host: str) -> FilterRound:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names) or len(set(names)) < len(names):
        raise ValueError(f"host {host} sent column names the guest cannot read")
    return FilterRound.first(names, list(range(len(names))))


def _host_ivs(binning: TrainedBinning, host: str, method: str) -> dict[str, float]:
    if host not in binning.hosts:
        raise ValueError(f"filter {method}: the binning model has no IV of host {host}'s columns (was binning "
                         "local_only?)")
    return {name: column.iv for name, column in binning.hosts[host].items()}


def _host_thresholds(settings: dict[str, Any], hosts: int) -> list[float]:
    given = settings["host_thresholds"]
    if given is None:
        return [settings["value_threshold"]] * hosts
    if len(given) < hosts:
        raise ValueError(f"iv_value_param.host_thresholds gives {len(given)} thresholds for {hosts} hosts")
    return list(given[:hosts])


def guest_iv_filter(ctx: ComponentContext, round_: FilterRound, method: str, params: dict[str, Any],
                    tag: str) -> list[FilterRound]:
    """Judges the guest's columns and every host's; returns the hosts' rounds (in the job's host order)."""
    binning = binning_model(ctx, method)
    settings = _settings(params, method)
    hosts = [] if settings["local_only"] else ctx.parties(HOST)
    own = {name: column.iv for name, column in binning.columns.items()}
    host_rounds = [_host_round(names, party)
                   for (_, party), names in zip(hosts, ctx.federation.get("host_select_cols", tag, hosts))]
    host_ivs = [_host_ivs(binning, party, method) for _, party in hosts]
    if method == IV_VALUE:
        thresholds = [settings["value_threshold"]] + _host_thresholds(settings, len(hosts))
    else:
        judged = [ivs[name] for one, ivs in zip([round_, *host_rounds], [own, *host_ivs])
                  for name in one.judged_names() if name in ivs]
        thresholds = [percentile_threshold(settings["percentile_threshold"], judged)] * (len(hosts) + 1)
    for one, ivs, threshold in zip([round_, *host_rounds], [own, *host_ivs], thresholds):
        fit_iv(one, ivs, threshold, method)
    for party, host_round in zip(hosts, host_rounds):
        ctx.federation.remote(host_round.names_after(), "result_left_cols", tag, [party])
    return host_rounds


def host_iv_filter(ctx: ComponentContext, round_: FilterRound, method: str, params: dict[str, Any],
                   tag: str) -> None:
    """Offers the judged columns to the guest under their anonymous names and keeps those it sends back."""
    if _settings(params, method)["local_only"]:  # the guest judges its own columns only
        for position in round_.judged:
            round_.keep(position)
        return
    positions = {name: index for index, name in enumerate(binning_model(ctx, method).header)}
    offered = {}
    for position, name in zip(round_.judged, round_.judged_names()):
        if name not in positions:
            raise ValueError(f"filter {method}: column {name!r} is not in the binning model given as isometric_model")
        offered[anonymous_name(positions[name])] = position
    guest = ctx.parties(GUEST)
    ctx.federation.remote(list(offered), "host_select_cols", tag, guest)
    kept = ctx.federation.get("result_left_cols", tag, guest)[0]
    if not isinstance(kept, list) or not all(isinstance(name, str) and name in offered for name in kept):
        raise ValueError("the guest sent back columns the host did not offer")
    for name in kept:
        round_.keep(offered[name])
