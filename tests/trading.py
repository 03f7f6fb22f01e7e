"""A trader who confirms everything: requests decided by the gate and approved with the send
key the confirmation would ask for, as the screen does when the trader presses it."""

from __future__ import annotations

import ib_async

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.state import gate
from ib_blotter.state.gate import Action, Request
from ib_blotter.state.records import ContractSpec, OrderKey, OrderRow, OrderSpec


def spec_of(contract: ib_async.Contract) -> ContractSpec:
    """What a test knows of a contract: no tick grid, no type list (nothing checked)."""
    return ContractSpec(symbol=contract.symbol, sec_type=contract.secType or "STK",
                        min_tick=0.0, con_id=contract.conId)


def confirm(adapter: IBAdapter, request: Request,
            contract: ib_async.Contract | None = None) -> OrderKey | None:
    decision = adapter.decide(request)
    return adapter.send(gate.approve(decision, decision.send_keys[0]), contract)


def place(adapter: IBAdapter, contract: ib_async.Contract, spec: OrderSpec) -> OrderKey | None:
    return confirm(adapter, Request(Action.PLACE, spec, spec_of(contract)), contract)


def cancel(adapter: IBAdapter, row: OrderRow) -> None:
    confirm(adapter, Request(Action.CANCEL, target=row))


def cancel_all(adapter: IBAdapter) -> None:
    confirm(adapter, Request(Action.CANCEL_ALL))
