"""Matching combos: a BAG order trades all its legs at once, at their touch prices, when its net
price is at or better than its limit; its fills are reported per leg, then for the BAG.

A mixin of Exchange. As TWS reports a combo's execution ([rec] ib_insync's Trade.filled counts
only a BAG's own fills, so TWS sends those beside the legs'): one execDetails per leg (the leg's
contract, shares = combo quantity x ratio, the leg's price), then one for the BAG (the combo's
quantity at the net price), then the order's status, then a commission report for each. The
commission is the combo's (per contract on every leg, IB's minimum once per order), carried on
the legs' reports; the BAG's own report carries 0 [inf: no public capture of a combo fill].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .combos import COMBO_CON_ID, combo_quote, sign
from .commissions import combo_commission, commission_for, option_rate
from .market import Quote
from .model import ComboLeg, Fill, Instrument, SimOrder

if TYPE_CHECKING:
    from .exchange import Exchange


class ComboMatching:
    def _quote(self: Exchange, order: SimOrder) -> Quote:
        """The order's market: a combo's net quote from its legs'."""
        if order.contract.secType != "BAG":
            return self.market.quote(order.contract.conId)
        return combo_quote([(leg, self.market.quote(leg.conId))
                            for leg in order.contract.comboLegs])

    def _match_combo(self: Exchange, order: SimOrder, quote: Quote, quantity: float,
                     arriving: bool) -> None:
        buy = order.request.action == "BUY"
        touch = quote.ask if buy else quote.bid
        limit = order.request.lmtPrice if order.request.orderType == "LMT" else None
        if limit is not None and (touch > limit + 1e-9 if buy else touch < limit - 1e-9):
            return
        take = min(quantity, max(quote.askSize if buy else quote.bidSize, 1.0))
        self._execute_combo(order, take, liquidity=2 if arriving else 1)

    def _execute_combo(self: Exchange, order: SimOrder, quantity: float, liquidity: int) -> None:
        self._announce(order)
        buy = order.request.action == "BUY"
        legs = [(leg, self.universe.by_con_id[leg.conId]) for leg in order.contract.comboLegs]
        prices = [self._leg_price(leg, inst, buy) for leg, inst in legs]
        net = round(sum(sign(leg) * leg.ratio * price
                        for (leg, _), price in zip(legs, prices, strict=True)), 6)
        prior = order.filled
        order.filled = prior + quantity
        order.avgFillPrice = (order.avgFillPrice * prior + net * quantity) / order.filled
        order.lastFillPrice = net
        fees = self._combo_fees(order, legs, prices, quantity)
        fills = [self._leg_fill(order, leg, inst, quantity, price, fee, liquidity)
                 for (leg, inst), price, fee in zip(legs, prices, fees, strict=True)]
        fills.append(self._fill_record(order, quantity, net, liquidity, 0.0, None))
        self._report(order, fills)

    def _leg_price(self: Exchange, leg: ComboLeg, inst: Instrument, buy: bool) -> float:
        quote = self.market.quote(inst.contract.conId)
        return quote.ask if (leg.action == "BUY") == buy else quote.bid

    def _combo_fees(self: Exchange, order: SimOrder, legs: list[tuple[ComboLeg, Instrument]],
                    prices: list[float], quantity: float) -> list[float]:
        """This execution's commission, split over the legs by their per-contract charges."""
        cumulative = [(inst, order.filled * leg.ratio, price)
                      for (leg, inst), price in zip(legs, prices, strict=True)]
        billed = self._charged.get(order.permId, 0.0)
        owed = round(max(combo_commission(cumulative) - billed, 0.0), 2)
        self._charged[order.permId] = billed + owed
        weights = [_charge(inst, quantity * leg.ratio, price)
                   for (leg, inst), price in zip(legs, prices, strict=True)]
        total = sum(weights) or 1.0
        fees = [round(owed * w / total, 2) for w in weights]
        fees[0] = round(fees[0] + owed - sum(fees), 2)  # the cents of rounding on the first leg
        return fees

    def _leg_fill(self: Exchange, order: SimOrder, leg: ComboLeg, inst: Instrument,
                  quantity: float, price: float, fee: float, liquidity: int) -> Fill:
        """One leg's execution: booked to the account under the leg's own contract."""
        leg_buy = (leg.action == "BUY") == (order.request.action == "BUY")
        shares = quantity * leg.ratio
        account = self.accounts[order.request.account]
        realized = account.apply_fill(inst, shares if leg_buy else -shares, price, fee)
        self.market.record_trade(inst.contract.conId, price, shares)
        fill = self._fill_record(order, shares, price, liquidity, fee, realized)
        fill.contract = inst.contract
        fill.side = "BOT" if leg_buy else "SLD"
        fill.cumQty, fill.avgPrice = order.filled * leg.ratio, price
        return fill

    def rematch_combos(self: Exchange) -> None:
        if self.working[COMBO_CON_ID]:
            self.rematch(COMBO_CON_ID)


def _charge(inst: Instrument, quantity: float, price: float) -> float:
    if inst.contract.secType == "OPT":
        return option_rate(price) * quantity
    return commission_for(inst, quantity, price)
