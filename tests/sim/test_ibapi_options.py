"""Options and combos with IB's own client through a real socket: the chain listed
(reqSecDefOptParams, contract details), greeks, an option and a vertical placed, modified,
cancelled and filled, the combo's fills per leg and for the BAG, positions and account values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ibapi.contract import ComboLeg, Contract

from ib_blotter.sim.simulator import Simulator

from .conftest import wait_until
from .test_ibapi import ApiClient, Recorder, connected, limit, market, ready

ACCOUNT = "DU1234567"


class OptionRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.chains: dict[int, list[tuple[str, str, str, set[str], set[float]]]] = {}
        self.chains_ended: set[int] = set()
        self.greeks: dict[int, dict[int, tuple[float, float, float]]] = {}
        self.values: dict[tuple[str, str], str] = {}
        self.exec_contracts: list[tuple[str, int, Any]] = []

    def securityDefinitionOptionParameter(self, reqId: int, exchange: str,
                                          underlyingConId: int, tradingClass: str,
                                          multiplier: str, expirations: set[str],
                                          strikes: set[float]) -> None:
        self.chains.setdefault(reqId, []).append(
            (exchange, tradingClass, multiplier, expirations, strikes))

    def securityDefinitionOptionParameterEnd(self, reqId: int) -> None:
        self.chains_ended.add(reqId)

    def tickOptionComputation(self, reqId: int, tickType: int, tickAttrib: int,
                              impliedVol: float, delta: float, optPrice: float,
                              pvDividend: float, gamma: float, vega: float, theta: float,
                              undPrice: float) -> None:
        self.greeks.setdefault(reqId, {})[tickType] = (impliedVol, delta, undPrice)

    def execDetails(self, reqId: int, contract: Contract, execution: Any) -> None:
        super().execDetails(reqId, contract, execution)
        self.exec_contracts.append((contract.secType, contract.conId, execution))

    def updateAccountValue(self, key: str, val: str, currency: str, accountName: str) -> None:
        self.values[(key, currency)] = val


def option(expiry: str, strike: float, right: str = "C") -> Contract:
    contract = Contract()
    contract.symbol, contract.secType, contract.exchange, contract.currency = (
        "AAPL", "OPT", "SMART", "USD")
    contract.lastTradeDateOrContractMonth, contract.strike, contract.right = expiry, strike, right
    contract.multiplier = "100"
    return contract


def vertical(low: int, high: int) -> Contract:
    contract = Contract()
    contract.symbol, contract.secType, contract.exchange, contract.currency = (
        "AAPL", "BAG", "SMART", "USD")
    contract.comboLegs = []
    for con_id, action in ((low, "BUY"), (high, "SELL")):
        leg = ComboLeg()
        leg.conId, leg.ratio, leg.action, leg.exchange = con_id, 1, action, "SMART"
        contract.comboLegs.append(leg)
    return contract


async def listed(api: ApiClient, rec: OptionRecorder) -> tuple[str, dict[float, int]]:
    """The chain, then every strike of its last expiry's calls: expiry and conId by strike."""
    api.reqSecDefOptParams(21, "AAPL", "", "STK", 265598)
    await wait_until(lambda: 21 in rec.chains_ended, "the chain's end")
    _, klass, multiplier, expiries, strikes = next(
        c for c in rec.chains[21] if c[0] == "SMART")
    assert (klass, multiplier) == ("AAPL", "100") and 187.5 in strikes
    expiry = sorted(expiries)[-1]
    calls = option(expiry, 0.0)
    api.reqContractDetails(22, calls)
    await wait_until(lambda: 22 in rec.details_ended, "contractDetailsEnd")
    found = {d.contract.strike: d.contract.conId for d in rec.details[22]
             if d.contract.right == "C"}
    assert sorted(found) == sorted(strikes)
    return expiry, found


async def test_ibapi_lists_a_chain_and_reads_its_greeks(sim: Simulator) -> None:
    sim.set_quote("AAPL", 187.50, 187.52)
    async with connected(sim, OptionRecorder()) as api:
        rec = await ready(api)
        assert isinstance(rec, OptionRecorder)
        expiry, con_ids = await listed(api, rec)
        details = next(d for d in rec.details[22] if d.contract.conId == con_ids[190.0])
        assert details.contract.localSymbol == f"AAPL  {expiry[2:]}C00190000"
        assert (details.contract.multiplier, details.underConId) == ("100", 265598)
        api.reqMktData(23, option(expiry, 190.0), "", False, False, [])
        await wait_until(lambda: 13 in rec.greeks.get(23, {}), "the model greeks")
        vol, delta, und = rec.greeks[23][13]
        assert 0.2 < vol < 0.4 and 0.3 < delta < 0.6 and und == pytest.approx(187.51)
        api.cancelMktData(23)


async def test_ibapi_option_and_vertical_placed_modified_cancelled_filled(
    sim: Simulator
) -> None:
    sim.set_quote("AAPL", 187.50, 187.52)
    async with connected(sim, OptionRecorder()) as api:
        rec = await ready(api)
        assert isinstance(rec, OptionRecorder)
        expiry, con_ids = await listed(api, rec)
        call = option(expiry, 190.0)
        resting = rec.next_id
        api.placeOrder(resting, call, limit("BUY", 1, 0.50))
        await wait_until(lambda: rec.status_of(resting) == "Submitted", "Submitted")
        api.placeOrder(resting, call, limit("BUY", 1, 0.55))  # modify
        await wait_until(lambda: any(o[2].lmtPrice == 0.55 for o in rec.open_orders
                                     if o[0] == resting), "the modified echo")
        api.cancelOrder(resting, _no_cancel_time())
        await wait_until(lambda: rec.status_of(resting) == "Cancelled", "Cancelled")

        bought = resting + 1
        api.placeOrder(bought, call, market("BUY", 2))
        await wait_until(lambda: rec.status_of(bought) == "Filled", "the call Filled")

        spread = bought + 1
        combo = vertical(con_ids[190.0], con_ids[195.0])
        api.placeOrder(spread, combo, limit("BUY", 1, 0.05))  # far below: rests
        await wait_until(lambda: rec.status_of(spread) == "PreSubmitted", "the spread working")
        [(_, echoed, _, _)] = [o for o in rec.open_orders if o[0] == spread][-1:]
        assert [(leg.conId, leg.action) for leg in echoed.comboLegs] == [
            (con_ids[190.0], "BUY"), (con_ids[195.0], "SELL")]
        ask = sim.exchange._quote(sim.exchange.orders[(11, spread)]).ask
        api.placeOrder(spread, combo, limit("BUY", 1, round(ask, 2)))  # modified to the ask
        await wait_until(lambda: rec.status_of(spread) == "Filled", "the spread Filled")
        await wait_until(lambda: len(rec.commissions) == len(rec.executions), "commissions")
        mine = [(kind, con_id) for kind, con_id, e in rec.exec_contracts
                if e.orderId == spread]
        assert sorted(mine) == sorted([("OPT", con_ids[190.0]), ("OPT", con_ids[195.0]),
                                       ("BAG", 28812380)])

        api.reqPositions()
        await wait_until(lambda: rec.positions_ended, "positionEnd")
        held = {c.conId: p for _, c, p, _ in rec.positions}
        assert held[con_ids[190.0]] == Decimal(3) and held[con_ids[195.0]] == Decimal(-1)
        api.reqAccountUpdates(True, ACCOUNT)
        await wait_until(lambda: ("OptionMarketValue", "USD") in rec.values, "the values")
        assert float(rec.values[("OptionMarketValue", "USD")]) > 0
        assert rec.values[("ExchangeRate", "USD")] == "1.00"
        api.reqAccountUpdates(False, ACCOUNT)


def _no_cancel_time() -> Any:
    from ibapi.order_cancel import OrderCancel

    return OrderCancel()
