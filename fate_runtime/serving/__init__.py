"""Online serving, FATE-Serving's job on each node: a bound model version scores one case or a batch as it arrives.

The guest replays its pipeline (DataIO, binning, selection, HeteroLR) on the request's `featureData`, asks each
host for its partial score of the same cases, and answers with the probability and the label. A host finds its own
features by the id the guest passes on and answers with its partial score only. Nothing here opens a database or
a socket: bound models, feature tables and the hosts are given by the caller (the node wires them).
"""
