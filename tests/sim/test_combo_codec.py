"""The wire for options and combos, read by both clients at every version we speak: combo legs
in placeOrder and reqMktData, the legs echoed in openOrder and completedOrder, option chains
(reqSecDefOptParams and its answer) and option greeks (tickOptionComputation)."""

from __future__ import annotations

from typing import Any

import pytest
from ib_async import contract as ia_contract
from ib_async import order as ia_order
from ibapi import contract as api_contract
from ibapi import order as api_order
from ibapi.tag_value import TagValue as ApiTagValue

from ib_blotter.sim import incoming, outgoing, versions
from ib_blotter.sim.model import ComboLeg, Status, TagValue
from ib_blotter.sim.versions import Layout, adapt

from .test_codec import (
    decode_ib_async,
    decode_ibapi,
    ib_async_sent,
    ibapi_sent,
    limit_request,
    one_message,
    sim_order,
)

ALL = list(range(versions.MIN_VERSION, versions.MAX_VERSION + 1))
IB_ASYNC = [v for v in ALL if v != versions.DURATION]  # see test_versions
LEGS = ((911395842, 1, "BUY"), (911681815, 2, "SELL"))


def _ib_async_bag() -> tuple[ia_contract.Contract, ia_order.Order]:
    contract = ia_contract.Contract(symbol="AAPL", secType="BAG", exchange="SMART",
                                    currency="USD")
    contract.comboLegs = [ia_contract.ComboLeg(conId=c, ratio=r, action=a, exchange="SMART")
                          for c, r, a in LEGS]
    order = ia_order.LimitOrder("BUY", 3, -1.25)
    order.orderComboLegs = [ia_order.OrderComboLeg(price=2.05), ia_order.OrderComboLeg()]
    order.smartComboRoutingParams = [ia_contract.TagValue("NonGuaranteed", "1")]
    return contract, order


def _ibapi_bag() -> tuple[api_contract.Contract, api_order.Order]:
    contract = api_contract.Contract()
    contract.symbol, contract.secType, contract.exchange, contract.currency = (
        "AAPL", "BAG", "SMART", "USD")
    contract.comboLegs = []
    for con_id, ratio, action in LEGS:
        leg = api_contract.ComboLeg()
        leg.conId, leg.ratio, leg.action, leg.exchange = con_id, ratio, action, "SMART"
        contract.comboLegs.append(leg)
    order = api_order.Order()
    order.action, order.orderType, order.lmtPrice = "BUY", "LMT", -1.25
    order.totalQuantity = 3  # type: ignore[assignment]
    priced = api_order.OrderComboLeg()
    priced.price = 2.05
    order.orderComboLegs = [priced, api_order.OrderComboLeg()]
    order.smartComboRoutingParams = [ApiTagValue("NonGuaranteed", "1")]
    return contract, order


def _placed(client: str, version: int) -> list[str]:
    if client == "ib_async":
        contract, order = _ib_async_bag()
        return one_message(ib_async_sent(lambda c: c.placeOrder(7, contract, order), version))
    api_bag, api_ord = _ibapi_bag()
    return one_message(ibapi_sent(lambda c: c.placeOrder(7, api_bag, api_ord), version))


@pytest.mark.parametrize("version", ALL)
@pytest.mark.parametrize("client", ["ib_async", "ibapi"])
def test_place_order_reads_the_legs_at_every_version(client: str, version: int) -> None:
    _, contract, request = incoming.parse_place_order(_placed(client, version), Layout(version))
    assert [(leg.conId, leg.ratio, leg.action, leg.exchange) for leg in contract.comboLegs] == [
        (c, r, a, "SMART") for c, r, a in LEGS]
    assert request.orderComboLegs == [2.05, None]
    assert request.smartComboRoutingParams == [TagValue("NonGuaranteed", "1")]
    assert (request.lmtPrice, request.totalQuantity) == (-1.25, 3)


@pytest.mark.parametrize("client", ["ib_async", "ibapi"])
def test_req_mkt_data_reads_the_legs(client: str) -> None:
    if client == "ib_async":
        contract, _ = _ib_async_bag()
        sent = ib_async_sent(lambda c: c.reqMktData(5, contract, "", False, False, []))
    else:
        api_bag, _ = _ibapi_bag()
        sent = ibapi_sent(lambda c: c.reqMktData(5, api_bag, "", False, False, []))
    req_id, parsed, _, snapshot, _ = incoming.parse_req_mkt_data(one_message(sent))
    assert (req_id, snapshot) == (5, False)
    assert [(leg.conId, leg.ratio, leg.action) for leg in parsed.comboLegs] == list(LEGS)


def _bag_order(**changes: Any) -> Any:
    request = limit_request(lmtPrice=-1.25, orderComboLegs=[2.05, None],
                            smartComboRoutingParams=[TagValue("NonGuaranteed", "1")])
    order = sim_order(request, **changes)
    order.contract.secType, order.contract.conId = "BAG", 28812380
    order.contract.tradingClass = "COMB"
    order.contract.comboLegs = [ComboLeg(c, r, a, "SMART") for c, r, a in LEGS]
    order.contract.comboLegsDescrip = "911395842|1,911681815|-2"
    return order


def _legs(contract: Any) -> list[tuple[int, int, str]]:
    return [(int(leg.conId), int(leg.ratio), leg.action) for leg in contract.comboLegs]


@pytest.mark.parametrize("version", IB_ASYNC)
def test_open_order_echoes_the_legs_to_ib_async(version: int) -> None:
    fields = adapt(outgoing.open_order(_bag_order()), version)
    _, contract, order, _ = decode_ib_async(fields, version).only("openOrder")
    assert (contract.secType, contract.comboLegsDescrip) == ("BAG", "911395842|1,911681815|-2")
    assert _legs(contract) == list(LEGS)
    assert order.orderComboLegs[0].price == 2.05
    assert [(p.tag, p.value) for p in order.smartComboRoutingParams] == [("NonGuaranteed", "1")]
    assert order.lmtPrice == -1.25


@pytest.mark.parametrize("version", ALL)
def test_open_order_echoes_the_legs_to_ibapi(version: int) -> None:
    fields = adapt(outgoing.open_order(_bag_order()), version)
    _, contract, order, _ = decode_ibapi(fields, version=version).only("openOrder")
    assert _legs(contract) == list(LEGS)
    assert order.orderComboLegs[0].price == 2.05
    assert order.lmtPrice == -1.25


@pytest.mark.parametrize("version", ALL)
def test_completed_order_echoes_the_legs(version: int) -> None:
    order = _bag_order(status=Status.FILLED, filled=3, completedTime="20240102 10:00:01 "
                       "US/Eastern", completedStatus="Filled Size: 3")
    fields = adapt(outgoing.completed_order(order), version)
    contract, decoded, _ = decode_ib_async(fields, version).only("completedOrder")
    assert (_legs(contract), decoded.filledQuantity) == (list(LEGS), 3)
    contract, _, state = decode_ibapi(fields, version=version).only("completedOrder")
    assert (_legs(contract), state.completedStatus) == (list(LEGS), "Filled Size: 3")


def test_req_sec_def_opt_params_from_both_clients() -> None:
    sent = [one_message(ib_async_sent(lambda c: c.reqSecDefOptParams(4, "AAPL", "", "STK",
                                                                      265598))),
            one_message(ibapi_sent(lambda c: c.reqSecDefOptParams(4, "AAPL", "", "STK", 265598)))]
    for fields in sent:
        assert incoming.parse_req_sec_def_opt_params(fields) == (4, "AAPL", "", "STK", 265598)


def test_option_chain_reaches_both_clients() -> None:
    fields = outgoing.security_definition_option_parameter(
        4, "SMART", 265598, "AAPL", "100", ["20261218", "20261120"], [185.0, 187.5, 190.0])
    args = decode_ib_async(fields).only("securityDefinitionOptionParameter")
    assert args == (4, "SMART", "265598", "AAPL", "100", ["20261218", "20261120"],
                    [185.0, 187.5, 190.0])
    req_id, exchange, under, trading_class, multiplier, expiries, strikes = decode_ibapi(
        fields).only("securityDefinitionOptionParameter")
    assert (req_id, exchange, under, trading_class, multiplier) == (4, "SMART", 265598, "AAPL",
                                                                    "100")
    assert (sorted(expiries), sorted(strikes)) == (["20261120", "20261218"],
                                                   [185.0, 187.5, 190.0])
    end = outgoing.security_definition_option_parameter_end(4)
    assert decode_ib_async(end).only("securityDefinitionOptionParameterEnd") == (4,)
    assert decode_ibapi(end).only("securityDefinitionOptionParameterEnd") == (4,)


@pytest.mark.parametrize("version", ALL)
def test_option_computation_reaches_both_clients(version: int) -> None:
    fields = outgoing.tick_option_computation(9, 13, 0.2512, 0.5431, 6.35, 0.0, 0.0311, 0.2204,
                                              -0.0812, 187.5)
    assert len(fields) == 12  # no version field from 156 (price based volatility)
    args = decode_ib_async(fields, version).only("tickOptionComputation")
    assert args == (9, 13, 0, 0.2512, 0.5431, 6.35, 0.0, 0.0311, 0.2204, -0.0812, 187.5)
    args = decode_ibapi(fields, version=version).only("tickOptionComputation")
    assert args[:4] == (9, 13, 0, 0.2512)
    assert args[-1] == 187.5
