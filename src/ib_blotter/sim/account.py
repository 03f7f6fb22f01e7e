"""Paper accounts: cash, positions, realized PnL, margin, and IB's fixed commission schedule."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Instrument

STARTING_CASH = 1_000_000.0

# Margin as a fraction of notional; a simplification of Reg T (stocks) and exchange SPAN.
INIT_MARGIN = {"STK": 0.25, "FUT": 0.06, "CASH": 0.03}
MAINT_MARGIN = {"STK": 0.25, "FUT": 0.05, "CASH": 0.025}


def multiplier(inst: Instrument) -> float:
    return float(inst.contract.multiplier or 1)


def commission_for(inst: Instrument, quantity: float, price: float) -> float:
    """IB's fixed pricing for the whole order so far: per share / contract / notional, min, max."""
    sec_type = inst.contract.secType
    if sec_type == "STK":
        per_share = 0.005 * quantity
        return round(min(max(per_share, 1.0), 0.01 * quantity * price), 2)
    if sec_type == "FUT":
        return round(2.25 * quantity, 2)  # 0.85 IB + exchange and regulatory fees
    return round(max(0.00002 * quantity * price, 2.0), 2)


def commission_range(inst: Instrument, quantity: float, price: float) -> tuple[float, float]:
    """The what-if range: the fee at this price, and at a fill 1% worse."""
    low = commission_for(inst, quantity, price)
    return low, max(low, commission_for(inst, quantity, price * 1.01))


@dataclass(slots=True)
class Holding:
    inst: Instrument
    position: float = 0.0
    avg_price: float = 0.0  # per unit, without the multiplier or fees
    open_fees: float = 0.0  # commissions paid to open the current position, not yet realized
    realized: float = 0.0

    @property
    def avg_cost(self) -> float:
        """What IB calls average cost: per unit times the multiplier, opening fees included."""
        if self.position == 0:
            return 0.0
        return self.avg_price * multiplier(self.inst) + self.open_fees / self.position


@dataclass(slots=True)
class Account:
    name: str
    cash: float = STARTING_CASH
    holdings: dict[int, Holding] = field(default_factory=dict)
    realized: float = 0.0
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
        if inst.contract.secType != "FUT":
            self.cash -= signed_qty * price * multiplier(inst)
        self.cash -= commission
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

    def _close(self, holding: Holding, signed_qty: float, price: float, commission: float) -> float:
        """Realize the closed part (IB nets the opening and closing fees); a flip opens the rest."""
        old = holding.position
        closed = min(abs(old), abs(signed_qty))
        released_fees = holding.open_fees * closed / abs(old)
        closing_fee = commission * closed / abs(signed_qty)
        direction = 1 if old > 0 else -1
        gross = closed * (price - holding.avg_price) * direction * multiplier(holding.inst)
        realized = gross - released_fees - closing_fee
        holding.open_fees -= released_fees
        holding.realized += realized
        self.realized += realized
        if holding.inst.contract.secType == "FUT":
            self.cash += gross  # futures settle PnL to cash; no notional changes hands
        if abs(signed_qty) > abs(old):
            holding.avg_price = price  # flipped: the rest opens a new position
            holding.open_fees = commission - closing_fee
        return realized

    def market_value(self, holding: Holding, mark: float) -> float:
        return holding.position * mark * multiplier(holding.inst)

    def price_gain(self, holding: Holding, mark: float) -> float:
        """The open position's gain from its fill prices, before fees (what futures settle)."""
        return holding.position * (mark - holding.avg_price) * multiplier(holding.inst)

    def unrealized(self, holding: Holding, mark: float) -> float:
        """As IB reports it: market value less average cost, so opening fees count as a loss."""
        return self.price_gain(holding, mark) - holding.open_fees

    def values(self, marks: dict[int, float]) -> dict[str, float]:
        """The account values TWS reports, from the current marks."""
        gross = unrealized = init = maint = futures_pnl = 0.0
        for con_id, holding in self.holdings.items():
            if holding.position == 0:
                continue
            mark = marks[con_id]
            notional = abs(self.market_value(holding, mark))
            sec_type = holding.inst.contract.secType
            gross += notional
            unrealized += self.unrealized(holding, mark)
            init += notional * INIT_MARGIN[sec_type]
            maint += notional * MAINT_MARGIN[sec_type]
            if sec_type == "FUT":
                futures_pnl += self.price_gain(holding, mark)  # fees already left the cash
        stock_value = sum(
            self.market_value(h, marks[c])
            for c, h in self.holdings.items()
            if h.inst.contract.secType != "FUT"
        )
        net_liq = self.cash + stock_value + futures_pnl
        available = net_liq - init
        return {
            "NetLiquidation": net_liq,
            "TotalCashValue": self.cash,
            "SettledCash": self.cash,
            "GrossPositionValue": gross,
            "EquityWithLoanValue": net_liq,
            "InitMarginReq": init,
            "MaintMarginReq": maint,
            "FullInitMarginReq": init,
            "FullMaintMarginReq": maint,
            "AvailableFunds": available,
            "ExcessLiquidity": net_liq - maint,
            "BuyingPower": max(available, 0.0) * 4,
            "UnrealizedPnL": unrealized,
            "RealizedPnL": self.realized,
            "Cushion": (net_liq - maint) / net_liq if net_liq else 0.0,
            "StockMarketValue": stock_value,
            "FuturesPNL": futures_pnl,
        }
