"""Paper accounts: cash by currency, positions, realized PnL and margin, in the base currency.

Money is booked in each listing's currency (SAP in EUR, VOD in GBP though quoted in pence, 7203 in
JPY) and reported in the base currency (USD) at the market's exchange rates, as TWS does. IB does
not convert a foreign balance back by itself: buying SAP leaves a negative EUR cash balance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from .commissions import commission_for, commission_range
from .model import Instrument

__all__ = ["Account", "Holding", "Marks", "commission_for", "commission_range", "unit_value"]

STARTING_CASH = 1_000_000.0
BASE = "USD"

# Margin as a fraction of notional; a simplification of Reg T (stocks) and exchange SPAN.
INIT_MARGIN = {"STK": 0.25, "FUT": 0.06, "CASH": 0.03}
MAINT_MARGIN = {"STK": 0.25, "FUT": 0.05, "CASH": 0.025}
OPTION_TYPES = frozenset({"OPT", "FOP"})
# Options' margin: the worst value the options of one underlying take over these moves of it (a
# simplification of IB's risk-based margin; long premium is paid in cash, so it needs none).
STOCK_OPTION_MOVES = (-0.15, -0.10, -0.05, 0.0, 0.05, 0.10, 0.15)
FUTURE_OPTION_MOVES = (-0.08, -0.04, 0.0, 0.04, 0.08)


class Marks(Protocol):
    """What valuing an account needs of the market."""

    def __getitem__(self, con_id: int) -> float: ...

    def rate(self, currency: str) -> float:
        """Base currency per unit of `currency`."""
        ...

    def moved(self, inst: Instrument, move: float) -> float:
        """An option's price with its underlying moved by `move` (a fraction)."""
        ...


def unit_value(inst: Instrument) -> float:
    """Money (in the listing's currency) per unit of price and of quantity: the multiplier, less
    the price magnifier (LSE prices are pence, money is pounds)."""
    return float(inst.contract.multiplier or 1) / (inst.priceMagnifier or 1)


@dataclass(slots=True)
class Holding:
    inst: Instrument
    position: float = 0.0
    avg_price: float = 0.0  # per unit as quoted, without the multiplier or fees
    open_fees: float = 0.0  # commissions paid to open the current position, not yet realized
    realized: float = 0.0  # in the listing's currency

    @property
    def currency(self) -> str:
        return self.inst.contract.currency or BASE

    @property
    def avg_cost(self) -> float:
        """What IB calls average cost: per unit times the multiplier, opening fees included, in
        the listing's currency (pounds for a pence-quoted stock)."""
        if self.position == 0:
            return 0.0
        return self.avg_price * unit_value(self.inst) + self.open_fees / self.position


@dataclass(slots=True)
class Account:
    name: str
    cash: dict[str, float] = field(default_factory=lambda: {BASE: STARTING_CASH})
    holdings: dict[int, Holding] = field(default_factory=dict)
    realized_by: dict[str, float] = field(default_factory=dict)  # per currency
    commissions: float = 0.0

    def holding(self, inst: Instrument) -> Holding:
        con_id = inst.contract.conId
        if con_id not in self.holdings:
            self.holdings[con_id] = Holding(inst)
        return self.holdings[con_id]

    def apply_fill(
        self, inst: Instrument, signed_qty: float, price: float, commission: float
    ) -> float | None:
        """Book a fill; returns realized PnL (net of both fees) when it closed something."""
        holding = self.holding(inst)
        currency = holding.currency
        if inst.contract.secType != "FUT":
            self._book(currency, -signed_qty * price * unit_value(inst))
        self._book(currency, -commission)
        self.commissions += commission
        old = holding.position
        realized: float | None = None
        if old == 0 or (old > 0) == (signed_qty > 0):
            total = abs(old) + abs(signed_qty)
            holding.avg_price = (abs(old) * holding.avg_price + abs(signed_qty) * price) / total
            holding.open_fees += commission
        else:
            realized = self._close(holding, signed_qty, price, commission)
        holding.position = old + signed_qty
        if holding.position == 0:
            holding.avg_price = holding.open_fees = 0.0
        return realized

    def _book(self, currency: str, amount: float) -> None:
        self.cash[currency] = self.cash.get(currency, 0.0) + amount

    def _close(self, holding: Holding, signed_qty: float, price: float, commission: float) -> float:
        """Realize the closed part (IB nets the opening and closing fees); a flip opens the rest."""
        old = holding.position
        closed = min(abs(old), abs(signed_qty))
        released_fees = holding.open_fees * closed / abs(old)
        closing_fee = commission * closed / abs(signed_qty)
        direction = 1 if old > 0 else -1
        gross = closed * (price - holding.avg_price) * direction * unit_value(holding.inst)
        realized = gross - released_fees - closing_fee
        holding.open_fees -= released_fees
        holding.realized += realized
        self.realized_by[holding.currency] = self.realized_by.get(holding.currency, 0.0) + realized
        if holding.inst.contract.secType == "FUT":
            self._book(holding.currency, gross)  # futures settle PnL to cash
        if abs(signed_qty) > abs(old):
            holding.avg_price = price  # flipped: the rest opens a new position
            holding.open_fees = commission - closing_fee
        return realized

    # ---- valuation, in each holding's currency ----------------------------------------------
    def market_value(self, holding: Holding, mark: float) -> float:
        return holding.position * mark * unit_value(holding.inst)

    def price_gain(self, holding: Holding, mark: float) -> float:
        """The open position's gain from its fill prices, before fees (what futures settle)."""
        return holding.position * (mark - holding.avg_price) * unit_value(holding.inst)

    def unrealized(self, holding: Holding, mark: float) -> float:
        """As IB reports it: market value less average cost, so opening fees count as a loss."""
        return self.price_gain(holding, mark) - holding.open_fees

    def currencies(self) -> list[str]:
        """The base currency first, then every other one the account holds or owes."""
        held = {h.currency for h in self.holdings.values() if h.position or h.realized}
        others = sorted((held | {c for c, v in self.cash.items() if v}) - {BASE})
        return [BASE, *others]

    def ledger(self, marks: Marks) -> dict[str, dict[str, float]]:
        """Per currency: cash, market values, futures PnL, unrealized and realized PnL."""
        books: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LEDGER_KEYS, 0.0))
        for currency in self.currencies():
            books[currency]["CashBalance"] = self.cash.get(currency, 0.0)
            books[currency]["RealizedPnL"] = self.realized_by.get(currency, 0.0)
        for con_id, holding in self.holdings.items():
            if holding.position == 0:
                continue
            mark, book = marks[con_id], books[holding.currency]
            kind = holding.inst.contract.secType
            if kind == "FUT":
                book["FuturesPNL"] += self.price_gain(holding, mark)
            else:
                key = "OptionMarketValue" if kind in OPTION_TYPES else "StockMarketValue"
                book[key] += self.market_value(holding, mark)
            book["UnrealizedPnL"] += self.unrealized(holding, mark)
        for book in books.values():
            book["TotalCashBalance"] = book["CashBalance"]
            book["NetLiquidationByCurrency"] = (book["CashBalance"] + book["StockMarketValue"]
                                                + book["OptionMarketValue"] + book["FuturesPNL"])
        return dict(books)

    def values(self, marks: Marks) -> dict[str, float]:
        """The account values TWS reports, in the base currency, from the current marks."""
        ledger = self.ledger(marks)
        base = {key: sum(book[key] * marks.rate(c) for c, book in ledger.items())
                for key in LEDGER_KEYS}
        gross = sum(abs(self.market_value(h, marks[c])) * marks.rate(h.currency)
                    for c, h in self.holdings.items() if h.position)
        init, maint = self.margins(marks)
        net_liq = base["NetLiquidationByCurrency"]
        available = net_liq - init
        return {
            "NetLiquidation": net_liq,
            "TotalCashValue": base["CashBalance"],
            "SettledCash": base["CashBalance"],
            "GrossPositionValue": gross,
            "EquityWithLoanValue": net_liq,
            "InitMarginReq": init,
            "MaintMarginReq": maint,
            "FullInitMarginReq": init,
            "FullMaintMarginReq": maint,
            "AvailableFunds": available,
            "ExcessLiquidity": net_liq - maint,
            "BuyingPower": max(available, 0.0) * 4,
            "UnrealizedPnL": base["UnrealizedPnL"],
            "RealizedPnL": base["RealizedPnL"],
            "Cushion": (net_liq - maint) / net_liq if net_liq else 0.0,
            "StockMarketValue": base["StockMarketValue"],
            "OptionMarketValue": base["OptionMarketValue"],
            "FuturesPNL": base["FuturesPNL"],
        }

    def margins(self, marks: Marks, extra: dict[int, tuple[Instrument, float]] | None = None
                ) -> tuple[float, float]:
        """(initial, maintenance) in the base currency; `extra` adds positions (a what-if)."""
        positions = {c: (h.inst, h.position) for c, h in self.holdings.items() if h.position}
        for con_id, (inst, quantity) in (extra or {}).items():
            held = positions.get(con_id, (inst, 0.0))[1]
            positions[con_id] = (inst, held + quantity)
        init = maint = 0.0
        options: dict[int, list[tuple[Instrument, float]]] = defaultdict(list)
        for con_id, (inst, quantity) in positions.items():
            kind = inst.contract.secType
            if kind in OPTION_TYPES:
                options[inst.underConId].append((inst, quantity))
                continue
            if not quantity or kind not in INIT_MARGIN:
                continue
            notional = abs(quantity * marks[con_id] * unit_value(inst)) * marks.rate(
                inst.contract.currency or BASE)
            init += notional * INIT_MARGIN[kind]
            maint += notional * MAINT_MARGIN[kind]
        risk = sum(_options_margin(group, marks) for group in options.values())
        return init + risk, maint + risk


LEDGER_KEYS = ("CashBalance", "TotalCashBalance", "NetLiquidationByCurrency", "StockMarketValue",
               "OptionMarketValue", "FuturesPNL", "UnrealizedPnL", "RealizedPnL")


def _options_margin(group: list[tuple[Instrument, float]], marks: Marks) -> float:
    """The worst value (a loss to cover) the options on one underlying take over its moves."""
    moves = FUTURE_OPTION_MOVES if group[0][0].contract.secType == "FOP" else STOCK_OPTION_MOVES
    worst = 0.0
    for move in moves:
        value = sum(quantity * marks.moved(inst, move) * unit_value(inst) * marks.rate(
            inst.contract.currency or BASE) for inst, quantity in group)
        worst = min(worst, value)
    return -worst
