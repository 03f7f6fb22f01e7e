"""One bad order never freezes the market: it is refused when placed, as TWS refuses it, or,
when working it fails, it alone is rejected (201, then Inactive) and everyone else trades on.

The market moves by itself here (pace 20), so a dead market loop shows as quotes that stop.
"""

from __future__ import annotations

import logging
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ib_async import IB, Contract, LimitOrder, MarketOrder, Order, Stock, TagValue, Ticker, Trade

from ib_blotter.sim.model import OrderRequest, SimContract, SimOrder
from ib_blotter.sim.model import TagValue as ModelTagValue
from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import Connect, ErrorLog, SimClock, wait_status, wait_until


@pytest.fixture
def sim_config(clock: SimClock) -> SimConfig:
    return SimConfig(port=0, pace=20, seed=7, clock=clock)


@pytest.fixture
async def aapl(ib: IB) -> Contract:
    [contract] = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    return contract


async def market_goes_on(connect: Connect, contract: Contract) -> None:
    """Another client's quotes keep coming, and its marketable order fills."""
    other = await connect(5)
    ticker: Ticker = other.reqMktData(contract)
    seen: list[float] = []
    ticker.updateEvent += lambda t: seen.append(t.time.timestamp() if t.time else 0.0)
    await wait_until(lambda: len(seen) >= 5, "quotes to keep coming")
    trade = other.placeOrder(contract, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")


async def refused(ib: IB, contract: Contract, order: Order, code: int) -> tuple[Trade, str]:
    errors = ErrorLog(ib)
    trade = ib.placeOrder(contract, order)
    await wait_until(lambda: code in errors.codes(order.orderId),
                     lambda: f"error {code} (got {errors.entries})")
    await wait_until(lambda: trade.orderStatus.status in ("Inactive", "Cancelled"),
                     lambda: f"the refused order to end (it is {trade.orderStatus.status})")
    return trade, next(t for r, c, t in errors.entries if c == code and r == order.orderId)


def trailing(amount: float = math.nan, percent: float | None = None) -> Order:
    order = Order(action="SELL", totalQuantity=100, orderType="TRAIL", auxPrice=amount)
    if percent is not None:
        order.trailingPercent = percent
    return order


@pytest.mark.parametrize("amount", [math.nan, math.inf, -0.5, 0.0])
async def test_a_trailing_stop_with_no_usable_offset_is_refused_and_the_market_goes_on(
    sim: Simulator, ib: IB, connect: Connect, aapl: Contract, amount: float
) -> None:
    """TWS reads a price that is no number as off the price grid (110, the ibx project's
    reading of TWS's order checks); a zero or negative trail is refused (201). No recording of
    either was found."""
    code = 110 if not math.isfinite(amount) else 201
    await refused(ib, aapl, trailing(amount), code)
    await market_goes_on(connect, aapl)


@pytest.mark.parametrize("percent", [math.nan, math.inf, 0.0, 100.0])
async def test_a_trailing_stop_with_a_percent_out_of_range_is_refused(
    sim: Simulator, ib: IB, connect: Connect, aapl: Contract, percent: float
) -> None:
    order = trailing(amount=0.0, percent=percent)
    order.auxPrice = 1.7976931348623157e308  # unset, as ib_async sends a percent trail
    await refused(ib, aapl, order, 201)
    await market_goes_on(connect, aapl)


@pytest.mark.parametrize("when", ["09:30:00 US", "25:00:00 US/Eastern", "09:30:00 Mars/Phobos",
                                  "tomorrow", "20250101 09:30:00 ../../etc/passwd"])
@pytest.mark.parametrize("param", ["startTime", "endTime"])
@pytest.mark.parametrize("strategy", ["Twap", "Vwap"])
async def test_an_algo_time_tws_cannot_read_is_refused_and_the_market_goes_on(
    sim: Simulator, ib: IB, connect: Connect, aapl: Contract, strategy: str, param: str, when: str
) -> None:
    """TWS refuses an algo time it cannot read with 10314, naming the parameter (IB's message
    codes; the ibx project's reading of TWS's algo checks). No recording found."""
    order = LimitOrder("BUY", 100, 99.00, algoStrategy=strategy,
                       algoParams=[TagValue(param, when)])
    _trade, text = await refused(ib, aapl, order, 10314)
    assert text.startswith(f"{param}: The date, time, or time-zone entered is invalid.")
    await market_goes_on(connect, aapl)


@pytest.mark.parametrize("quantity", [1e308, 1e12, 20_000_000, math.nan, math.inf])
async def test_an_absurd_quantity_is_refused(
    sim: Simulator, ib: IB, connect: Connect, aapl: Contract, quantity: float
) -> None:
    """Too large: IB's large-size (LGSZ) reject, error 201 ("Considerations for Automated
    Systems" in IB's API documentation); not a number: 201 too (no recording found)."""
    _trade, text = await refused(ib, aapl, MarketOrder("BUY", quantity), 201)
    assert text.startswith("Order rejected - reason:")
    assert not [f for f in sim.exchange.fills if f.clientId == 1]
    await market_goes_on(connect, aapl)


async def test_a_gtd_date_with_an_unreadable_zone_is_refused(
    ib: IB, connect: Connect, aapl: Contract
) -> None:
    order = LimitOrder("BUY", 100, 99.00, tif="GTD", goodTillDate="20991231 16:00:00 US")
    await refused(ib, aapl, order, 201)
    await market_goes_on(connect, aapl)


# ---- a bug while working one order -------------------------------------------------------
@pytest.fixture
def broken_matching(sim: Simulator) -> list[bool]:
    """Matching raises for orders with orderRef 'boom' while the switch is on: a bug the
    checks at placing do not know about."""
    armed = [True]
    original = sim.exchange._slice

    def slice_or_raise(order: SimOrder) -> float:
        if armed[0] and order.request.orderRef == "boom":
            raise RuntimeError("a bug in matching")
        return original(order)

    sim.exchange._slice = slice_or_raise  # type: ignore[method-assign]
    return armed


def boom(order: Order) -> Order:
    order.orderRef = "boom"
    return order


async def test_an_order_that_fails_when_placed_is_rejected_and_the_market_goes_on(
    sim: Simulator, ib: IB, connect: Connect, aapl: Contract, broken_matching: list[bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    trade, text = await refused(ib, aapl, boom(MarketOrder("BUY", 10)), 201)
    assert trade.orderStatus.status == "Inactive"
    assert text.startswith("Order rejected - reason:")
    failures = [r for r in caplog.records if r.name == "ib_blotter.sim" and r.exc_info]
    assert failures and failures[0].levelno == logging.ERROR  # logged with its traceback
    await market_goes_on(connect, aapl)


async def test_an_order_that_fails_while_resting_is_rejected_and_the_market_goes_on(
    sim: Simulator, ib: IB, connect: Connect, aapl: Contract, broken_matching: list[bool],
) -> None:
    broken_matching[0] = False
    quote = sim.market.quote(aapl.conId)
    errors = ErrorLog(ib)
    resting = ib.placeOrder(aapl, boom(LimitOrder("BUY", 100, round(quote.bid - 5, 2))))
    healthy = ib.placeOrder(aapl, LimitOrder("BUY", 100, round(quote.bid - 5, 2)))
    await wait_status(resting, "Submitted")
    broken_matching[0] = True  # the next market step works the resting order, and fails
    await wait_status(resting, "Inactive")
    assert 201 in errors.codes(resting.order.orderId)
    assert healthy.orderStatus.status == "Submitted"
    assert resting.order.permId not in sim.exchange.working[aapl.conId]
    await market_goes_on(connect, aapl)


async def test_a_bracket_parent_that_fails_takes_its_children_with_it(
    sim: Simulator, ib: IB, aapl: Contract, broken_matching: list[bool],
) -> None:
    quote = sim.market.quote(aapl.conId)
    low = round(quote.bid - 5, 2)
    parent, take_profit, stop_loss = ib.bracketOrder("BUY", 100, low, low + 10, low - 2)
    trades = [ib.placeOrder(aapl, order) for order in (boom(parent), take_profit, stop_loss)]
    await wait_status(trades[0], "Inactive")
    for child in trades[1:]:
        await wait_status(child, "Cancelled")


# ---- any order at all ----------------------------------------------------------------------
ODD_NUMBERS = st.floats(allow_nan=True, allow_infinity=True)
# Mostly orders the checks let through (prices on every instrument's grid), some that are not.
PRICES = st.one_of(st.none(), st.integers(1, 800).map(lambda n: n * 0.25),
                   st.sampled_from([0.0, -1.0, 0.5, 1.5, 1e308]), ODD_NUMBERS)
QUANTITIES = st.one_of(st.sampled_from([1.0, 10.0, 100.0, 2500.0, 10_000.0]), ODD_NUMBERS)
TIMES = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["09:30:00 US/Eastern", "09:30:00 US", "16:00:00", "20991231 16:00:00",
                     "20991231-16:00:00", "99:99:99 US/Eastern", "09:30:00 ../etc", " ", ""]),
)
ORDERS = st.builds(
    OrderRequest,
    action=st.sampled_from(["BUY", "SELL", "BUY", "SELL", ""]),
    totalQuantity=QUANTITIES,
    orderType=st.sampled_from(["MKT", "LMT", "STP", "STP LMT", "TRAIL", "MIDPRICE", "MOC", "LOC",
                               "REL"]),
    lmtPrice=PRICES, auxPrice=PRICES, trailStopPrice=PRICES,
    trailingPercent=st.one_of(st.none(), st.none(), st.floats(-1, 120), ODD_NUMBERS),
    tif=st.sampled_from(["DAY", "GTC", "IOC", "FOK", "GTD", "OPG", ""]),
    goodTillDate=TIMES, outsideRth=st.booleans(), transmit=st.booleans(),
    algoStrategy=st.sampled_from(["", "", "Twap", "Vwap", "Adaptive"]),
    algoParams=st.lists(st.builds(ModelTagValue, st.sampled_from(["startTime", "endTime",
                                                                 "maxPctVol"]), TIMES),
                        max_size=2),
)


class Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@settings(max_examples=300, deadline=None)
@given(orders=st.lists(st.tuples(st.sampled_from(["AAPL", "ES", "EUR.USD"]), ORDERS),
                       min_size=1, max_size=4),
       steps=st.integers(1, 5))
def test_whatever_is_placed_the_checks_refuse_it_or_the_market_works_it(
    orders: list[tuple[str, OrderRequest]], steps: int
) -> None:
    """Every order the checks let through is worked without a failure: the guard that rejects
    an order whose working fails is a last resort, never the rule."""
    sim = Simulator(SimConfig(port=0, pace=0, seed=3))
    failures = Failures()
    logging.getLogger("ib_blotter.sim").addHandler(failures)
    try:
        for order_id, (symbol, request) in enumerate(orders, 1):
            contract = SimContract(conId=sim.instrument_id(symbol))
            sim.exchange.place(1, order_id, contract, request)
        for _ in range(steps):
            for con_id in sim.market.instruments:
                sim.exchange.step(con_id)
        sim.exchange.auction("close")
    finally:
        logging.getLogger("ib_blotter.sim").removeHandler(failures)
    assert failures.messages == []
