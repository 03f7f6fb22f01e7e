"""IB's market rules: the tick of a contract by price band (XETRA: 0.02 from 100, 0.05 from
200), asked with reqMarketRule for the rule its contract details name, once per rule id."""

from __future__ import annotations

import asyncio
import logging

import ib_async

from ib_blotter.state.prices import PriceRule

logger = logging.getLogger(__name__)


def rule_id(details: ib_async.ContractDetails) -> int | None:
    """The rule of the exchange the contract is routed to: marketRuleIds holds one id per
    valid exchange, in validExchanges' order (SMART's first for a SMART contract)."""
    ids = [part.strip() for part in details.marketRuleIds.split(",")]
    venues = [part.strip() for part in details.validExchanges.split(",")]
    exchange = details.contract.exchange if details.contract else ""
    chosen = ids[venues.index(exchange)] if exchange in venues and len(ids) == len(venues) \
        else ids[0]
    return int(chosen) if chosen.isdigit() else None


class MarketRules:
    """Rules by id, each asked of IB once (its bands never change within a session)."""

    def __init__(self, ib: ib_async.IB) -> None:
        self.ib = ib
        self._asked: dict[int, asyncio.Future[PriceRule]] = {}

    async def rule_of(self, details: ib_async.ContractDetails) -> PriceRule:
        """The contract's bands; () when it has one tick for every price, or IB said none."""
        wanted = rule_id(details)
        if wanted is None:
            return ()
        if wanted not in self._asked:
            self._asked[wanted] = asyncio.ensure_future(self._ask(wanted))
        return await asyncio.shield(self._asked[wanted])

    async def _ask(self, wanted: int) -> PriceRule:
        try:
            increments = await self.ib.reqMarketRuleAsync(wanted) or []
        except Exception as exc:  # a rule we can't read leaves the min tick to judge by
            logger.warning("market rule %s not read: %s", wanted, exc)
            increments = []
        if not increments:
            self._asked.pop(wanted, None)  # no answer (timed out): ask again next time
        rule = tuple((float(i.lowEdge), float(i.increment)) for i in increments)
        return rule if len(rule) > 1 else ()
