"""Precautionary limits by instrument kind (issue 13, point 8): the smallest standard FX lot
and two E-minis pass the defaults; shares keep TWS's size and value limits."""

from __future__ import annotations

from pathlib import Path

from ib_blotter.config import load_config, settings_from
from ib_blotter.state.limits import Limits, breaches
from ib_blotter.state.records import ContractSpec, OrderSpec

STOCK = ContractSpec(symbol="AAPL", sec_type="STK", min_tick=0.01)
FUTURE = ContractSpec(symbol="ESZ6", sec_type="FUT", min_tick=0.25, multiplier=50)
FX = ContractSpec(symbol="EUR.USD", sec_type="CASH", min_tick=0.00005)
CALL = ContractSpec(symbol="AAPL Dec18 190C", sec_type="OPT", min_tick=0.01, multiplier=100)
ES_CALL = ContractSpec(symbol="ES Dec18 5400C", sec_type="FOP", min_tick=0.05, multiplier=50)


def kinds(spec: OrderSpec, contract: ContractSpec, last: float,
          limits: Limits | None = None) -> list[str]:
    return [n.kind for n in breaches(spec, contract, last, limits or Limits())]


def order(quantity: float, limit: float) -> OrderSpec:
    return OrderSpec(side="BUY", quantity=quantity, order_type="LMT", limit=limit)


def test_the_smallest_standard_fx_lot_passes() -> None:
    assert kinds(order(25_000, 1.0868), FX, 1.0868) == []
    assert kinds(order(5_000_000, 1.0868), FX, 1.0868) == []
    assert kinds(order(20_000_000, 1.0868), FX, 1.0868) == ["size", "value"]


def test_two_e_minis_pass_and_a_hundred_do_not() -> None:
    assert kinds(order(2, 5410.25), FUTURE, 5410.0) == []
    assert kinds(order(100, 5410.25), FUTURE, 5410.0) == ["size", "value"]


def test_shares_keep_the_tws_limits() -> None:
    assert kinds(order(5_000, 10.0), STOCK, 10.0) == []
    assert kinds(order(5_001, 10.0), STOCK, 10.0) == ["size"]
    assert kinds(order(4_000, 187.5), STOCK, 187.5) == ["value"]


def test_options_are_counted_in_contracts_and_valued_with_their_multiplier() -> None:
    # 5,000 calls are 500,000 shares' worth: the stock size limit would let them through.
    assert kinds(order(50, 7.30), CALL, 7.30) == []
    assert kinds(order(51, 0.05), CALL, 0.05) == ["size"]
    # 40 calls at 30.00 are 120,000 USD of premium (x100), over the options value limit.
    assert kinds(order(40, 30.0), CALL, 30.0) == ["value"]
    assert kinds(order(20, 120.0), ES_CALL, 120.0) == ["value"]  # x50: 120,000
    [notice] = breaches(order(60, 1.0), CALL, 1.0, Limits())
    assert notice.text == "Size 60 is over the options limit of 50 contracts"


def test_a_limit_says_its_kind() -> None:
    [notice] = breaches(order(100, 5410.25), FUTURE, 5410.0, Limits(max_future_value=0))
    assert notice.text == "Size 100 is over the futures limit of 20 contracts"


def test_each_kinds_limits_come_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[limits]\nmax_future_contracts = 5\nmax_future_value = 0\n"
                    "max_fx_size = 1000000\nmax_fx_value = 2000000\n"
                    "max_option_contracts = 10\nmax_option_value = 25000\n")
    settings = settings_from(load_config(path), {})
    assert (settings.max_future_contracts, settings.max_future_value, settings.max_fx_size,
            settings.max_fx_value) == (5, 0, 1_000_000, 2_000_000)
    assert (settings.max_option_contracts, settings.max_option_value) == (10, 25_000)
