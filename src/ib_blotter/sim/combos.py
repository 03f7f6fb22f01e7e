"""Combos (BAG): legs with ratios traded as one order at a net price, and their quote.

As IB shows them (recorded: ibkr-go's api_combo_option_vertical_aapl, an AAPL call vertical at
server version 225): a BAG's conId is 28812380, its local symbol the symbol, its trading class
COMB; openOrder echoes the legs (exchange SMART, exemptCode -1) and comboLegsDescrip
"911395842|1,911681815|-1", SELL legs negative; reqContractDetails of a
BAG is refused with 321 (pysystemtrade #1639 quotes TWS's text); a BAG without legs is refused
with 321 "Security type 'BAG' requires combo leg details." (rust_ib_api #2). The net price is the
BUY legs' prices less the SELL legs', times their ratios: a credit is negative.
"""

from __future__ import annotations

from collections.abc import Sequence

from .market import Quote
from .model import ComboLeg, Instrument, SimContract

COMBO_CON_ID = 28812380
COMBO_ORDER_TYPES = ("MKT", "LMT")
NO_LEGS = "Error validating request.-'bN' : cause - Security type 'BAG' requires combo leg details."
NO_DETAILS = ("Error validating request.-'bI' : cause - 'BAG' isn't supported for contract data "
              "request. Please enter a valid security type")


def sign(leg: ComboLeg) -> int:
    return 1 if leg.action == "BUY" else -1


def description(legs: Sequence[ComboLeg]) -> str:
    return ",".join(f"{leg.conId}|{sign(leg) * leg.ratio}" for leg in legs)


def combo_instrument(wanted: SimContract, legs: Sequence[Instrument]) -> Instrument:
    """What the exchange trades for a BAG: the legs as asked, on the finest of their grids."""
    first = legs[0].contract
    tick = min(inst.increments[0][1] for inst in legs)
    combo_legs = [ComboLeg(leg.conId, leg.ratio, leg.action, leg.exchange or "SMART",
                           leg.openClose, leg.shortSaleSlot, leg.designatedLocation,
                           leg.exemptCode) for leg in wanted.comboLegs]
    contract = SimContract(conId=COMBO_CON_ID, symbol=wanted.symbol or first.symbol,
                           secType="BAG", exchange=wanted.exchange or "SMART",
                           currency=first.currency, tradingClass="COMB",
                           localSymbol=wanted.symbol or first.symbol,
                           comboLegs=combo_legs, comboLegsDescrip=description(combo_legs))
    return Instrument(contract=contract, longName=f"{contract.symbol} combo", minTick=tick,
                      orderTypes=COMBO_ORDER_TYPES, validExchanges="SMART", marketName="COMB",
                      timeZoneId=legs[0].timeZoneId, tradingHours=legs[0].tradingHours,
                      liquidHours=legs[0].liquidHours, startPrice=0.0, rule=((0.0, tick),))


def combo_quote(legs: Sequence[tuple[ComboLeg, Quote]]) -> Quote:
    """The net bid and ask: buying the combo pays the BUY legs' asks and gets the SELL legs'
    bids; its size is what the thinnest leg allows."""
    bid = ask = 0.0
    size = float("inf")
    for leg, quote in legs:
        if leg.action == "BUY":
            bid, ask = bid + leg.ratio * quote.bid, ask + leg.ratio * quote.ask
        else:
            bid, ask = bid - leg.ratio * quote.ask, ask - leg.ratio * quote.bid
        size = min(size, quote.askSize // leg.ratio, quote.bidSize // leg.ratio)
    bid, ask = round(bid, 6), round(ask, 6)
    mid = round((bid + ask) / 2, 6)
    return Quote(bid, ask, mid, size, size, 0, 0, mid, mid, mid, mid)
