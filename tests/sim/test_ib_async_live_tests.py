"""ib_async's own live-TWS tests (ib-api-reloaded/ib_async tests/, at v2.0.1, which need a TWS at
7497), carried over to the simulator where their subject is simulated.

- test_requests.py::test_request_error_raised: a what-if of a EURUSD market order has a
  commission above 0; a what-if of Stock("XXX") (no exchange) gets 321 tied to its request.
  With RaiseRequestErrors that test expects a RequestError; the pinned ib_async 2.1.0 reads 321
  as a warning (wrapper.error's warningCodes) whoever sends it, so here we check what TWS
  sends: 321 "Missing order exchange" for that request id, and nothing else.
- test_requests.py::test_account_summary: every summary value an AccountValue.
- test_contract.py (historical bars) is not carried over: reqHistoricalData is not simulated,
  and the simulator says so at once with 320 for the request, as the README lists.
"""

from __future__ import annotations

import asyncio

import ib_async
import pytest

from .conftest import TIMEOUT


async def test_a_what_if_has_its_commission_and_a_contract_with_no_exchange_gets_321(
        ib: ib_async.IB) -> None:
    order = ib_async.MarketOrder("BUY", 100)
    state = await asyncio.wait_for(ib.whatIfOrderAsync(ib_async.Forex("EURUSD"), order),
                                   TIMEOUT)
    assert state.commission > 0

    errors: list[tuple[int, int, str]] = []
    ib.errorEvent += lambda req_id, code, text, _contract: errors.append((req_id, code, text))
    asked = ib.client._reqIdSeq  # the id whatIfOrderAsync takes next
    ib.whatIfOrderAsync(ib_async.Stock("XXX"), order)
    async with asyncio.timeout(TIMEOUT):
        while not errors:
            await asyncio.sleep(0.01)
    assert errors == [(asked, 321, "Error validating request.-'bG' : cause - "
                                   "Missing order exchange.")]


async def test_every_account_summary_value_is_an_account_value(ib: ib_async.IB) -> None:
    summary = await asyncio.wait_for(ib.accountSummaryAsync(), TIMEOUT)
    assert summary
    assert all(isinstance(value, ib_async.AccountValue) for value in summary)


async def test_historical_bars_are_refused_at_once_as_not_simulated(ib: ib_async.IB) -> None:
    ib.RaiseRequestErrors = True
    with pytest.raises(ib_async.RequestError) as refused:
        await asyncio.wait_for(ib.reqHistoricalDataAsync(
            ib_async.Stock("AMZN", "SMART", "USD"), "", "1 D", "1 hour", "TRADES", False, 1),
            TIMEOUT)
    assert refused.value.code == 320 and "not simulated" in refused.value.message
