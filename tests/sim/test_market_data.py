"""reqMktData streaming, snapshots, cancel, delayed data and tickReqParams."""

from __future__ import annotations

import math

from ib_async import IB, Contract, Future, Stock

from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import HOST, WireSpy, settle, wait_until

AAPL_ID = 265598
LIVE_PRICE_TICKS = {"1", "2", "4"}
DELAYED_PRICE_TICKS = {"66", "67", "68"}


async def test_streams_bid_ask_last_volume_close(sim: Simulator, ib: IB, aapl: Contract) -> None:
    ticker = ib.reqMktData(aapl)
    await wait_until(lambda: ticker.bid == 100.00 and ticker.ask == 100.01, "the first AAPL quote")
    assert ticker.last == 100.00
    assert ticker.bidSize > 0 and ticker.askSize > 0
    assert not math.isnan(ticker.volume)
    assert not math.isnan(ticker.close) and ticker.close > 0

    sim.set_quote("AAPL", 100.05, 100.07, last=100.06, size=300)
    await wait_until(
        lambda: (ticker.bid, ticker.ask, ticker.last) == (100.05, 100.07, 100.06),
        "the moved AAPL quote",
    )
    assert (ticker.bidSize, ticker.askSize) == (300, 300)


async def test_snapshot_arrives_once_and_ends(sim: Simulator, ib: IB, aapl: Contract) -> None:
    spy = WireSpy(ib)
    [ticker] = await ib.reqTickersAsync(aapl)
    assert (ticker.bid, ticker.ask) == (100.00, 100.01)
    assert len(spy.of(57)) == 1  # tickSnapshotEnd
    before = len(spy.of(1))
    sim.set_quote("AAPL", 100.02, 100.03)
    await settle(ib)
    assert len(spy.of(1)) == before  # a snapshot is not a subscription


async def test_cancel_mkt_data_stops_the_stream(sim: Simulator, ib: IB, aapl: Contract) -> None:
    spy = WireSpy(ib)
    ticker = ib.reqMktData(aapl)
    await wait_until(lambda: ticker.bid == 100.00, "the first AAPL quote")
    ib.cancelMktData(aapl)
    await settle(ib)
    before = len(spy.of(1)) + len(spy.of(2))
    sim.set_quote("AAPL", 100.10, 100.11)
    await settle(ib)
    assert len(spy.of(1)) + len(spy.of(2)) == before


async def test_delayed_market_data_type_sends_delayed_ticks(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    spy = WireSpy(ib)
    ib.reqMarketDataType(3)
    ticker = ib.reqMktData(aapl)
    await wait_until(lambda: ticker.bid == 100.00 and ticker.last == 100.00, "delayed quote")
    assert ticker.marketDataType == 3
    tick_types = {m[3] for m in spy.of(1)}
    assert tick_types >= DELAYED_PRICE_TICKS
    assert not tick_types & LIVE_PRICE_TICKS


async def test_tick_req_params_carries_min_tick(
    sim: Simulator, ib: IB, aapl: Contract, es_front: Future
) -> None:
    [es] = await ib.qualifyContractsAsync(es_front)
    stock = ib.reqMktData(aapl)
    future = ib.reqMktData(es)
    await wait_until(
        lambda: stock.minTick == 0.01 and future.minTick == 0.25, "tickReqParams for both"
    )


async def test_same_seed_same_prices(sim: Simulator) -> None:
    quotes = []
    for _ in range(2):
        async with Simulator(SimConfig(port=0, pace=0, seed=sim.config.seed)) as twin:
            for _ in range(25):
                twin.exchange.step(AAPL_ID)
            ib = IB()
            await ib.connectAsync(HOST, twin.port, clientId=1, timeout=5)
            try:
                [aapl] = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
                [ticker] = await ib.reqTickersAsync(aapl)
                quotes.append((ticker.bid, ticker.ask, ticker.last, ticker.volume))
            finally:
                ib.disconnect()
    assert quotes[0] == quotes[1]
    assert quotes[0][0] != 187.50  # the walk did move
