"""FATE's toy example, SecureAddExample: guest and host add their secret numbers by secret sharing.

Each party holds `data_num` ones (its secret table). Each splits every value into two random
shares, keeps one and sends the other to the other party; each adds the shares it holds;
the host sends its sums to the guest, which adds everything up. Neither party sees the
other's values, only random shares; the guest checks the total is 2 x data_num. As in FATE,
each role's side is a module of its own (secure_add_guest, secure_add_host), which its log
lines name.
"""

from __future__ import annotations

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.secure_add_example import secure_add_guest, secure_add_host
from fate_runtime.components.secure_add_example.shares import GUEST, HOST, secret_shares
from fate_runtime.components.spec import ComponentSpec, Param
from federation import TransferVariable
from storage import MAX_PARTITIONS

VARIABLES = (TransferVariable("guest_share", GUEST, (HOST,)),
             TransferVariable("host_share", HOST, (GUEST,)),
             TransferVariable("host_sum", HOST, (GUEST,)))


def run(ctx: ComponentContext) -> None:
    kept, sent = secret_shares(ctx)
    (secure_add_guest if ctx.role == GUEST else secure_add_host).run(ctx, kept, sent)


SPEC = ComponentSpec(
    module="SecureAddExample",
    roles=(GUEST, HOST),
    params={"seed": Param(int, 123), "partition": Param(int, 1, minimum=1, maximum=MAX_PARTITIONS),
            "data_num": Param(int, 1000, minimum=1, maximum=10**9)},
    variables=VARIABLES,
    run=run,
    required_roles=(GUEST, HOST),
)
