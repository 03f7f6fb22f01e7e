"""What TWS refuses: the checks a new or modified order must pass, with TWS's codes and texts."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .instruments import ALGOS_BY_SECTYPE, TIFS_BY_SECTYPE
from .model import Instrument, OrderRequest, SimContract
from .ticks import on_rule, on_tick

NEEDS_LIMIT = frozenset({"LMT", "STP LMT", "LOC"})
NEEDS_STOP = frozenset({"STP", "STP LMT"})
USES_LIMIT = NEEDS_LIMIT | {"MIDPRICE"}  # the prices an order type reads; the others are echoes
# Every order type TWS knows (IB's order type list); a known type an instrument does not take
# is 387, an unknown word 321.
KNOWN_ORDER_TYPES = frozenset({
    "MKT", "LMT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT", "MIT", "LIT", "MOC", "LOC", "MTL",
    "REL", "PEG MKT", "PEG MID", "PEG BEST", "PEG BENCH", "PEG STK", "MIDPRICE", "VWAP", "VOL",
    "BOX TOP", "REL + LMT", "REL + MKT", "LMT + MKT", "PASSV REL", "SNAP MKT", "SNAP MID",
    "SNAP PRIM", "AUC", "QUOTE", "MKT PRT", "STP PRT",
})
INVALID_ORDER_TYPE = "Error validating request.-'bC' : cause - Invalid order type was entered"
UNSUPPORTED_ORDER_TYPE = "Unsupported order type for this exchange and security type."
MISSING_EXCHANGE = "Error validating request.-'bG' : cause - Missing order exchange."
FRACTIONAL = ("Fractional-sized order cannot be placed via API. Please use desktop version to "
              "place this order.")
ALGO_TIMES = ("startTime", "endTime")
EXCHANGE_TZ = ZoneInfo("US/Eastern")
# Above these IB refuses an order as too large (its "LGSZ" reject, error 201: IB's API docs,
# "Considerations for Automated Systems"); IB's own thresholds vary by instrument.
MAX_ORDER_SIZE = {"STK": 10_000_000, "FUT": 10_000, "CASH": 100_000_000, "OPT": 50_000,
                  "FOP": 10_000, "BAG": 10_000}
OFF_TICK = "The price does not conform to the minimum price variation for this contract."
# TWS's text for a date-time it cannot read (error 10314 for an algo time, naming the
# parameter: IB's message codes; the ibx project's reading of TWS's algo checks).
BAD_TIME = (
    "{name}: The date, time, or time-zone entered is invalid. The correct format is "
    "yyyymmdd hh:mm:ss xx/xxxx where yyyymmdd and xx/xxxx are optional. "
    "E.g.: 20031126 15:59:00 US/Eastern"
)


NO_SECURITY = "No security definition has been found for the request"


def no_security_text(contract: SimContract, matches: list[Instrument]) -> str:
    """Error 200's text: nothing matched, or more than one thing did."""
    if matches:
        return f"The contract description specified for {contract.symbol} is ambiguous."
    return NO_SECURITY


@dataclass(frozen=True, slots=True)
class Refusal:
    code: int
    text: str


def reject(reason: str) -> Refusal:
    return Refusal(201, f"Order rejected - reason:{reason}")


def check_order(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    """The first reason TWS would refuse this order, or None when it may work."""
    for check in (
        _check_size, _check_large, _check_type, _check_prices, _check_tif, _check_algo
    ):
        refusal = check(inst, req, now)
        if refusal:
            return refusal
    return None


def _check_size(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    if not math.isfinite(req.totalQuantity):
        return reject("The order size is not a number.")
    if req.totalQuantity == 0:
        return Refusal(434, "The order size cannot be zero.")
    if req.totalQuantity < 0:
        return reject("The order quantity must be positive.")
    if not float(req.totalQuantity).is_integer() and inst.contract.secType != "CASH":
        return Refusal(10243, FRACTIONAL)  # stocks trade in 0.0001s, but not through the API
    if req.action not in ("BUY", "SELL"):
        return reject(f"Invalid action: '{req.action}'. Use BUY or SELL.")
    lot = inst.sizeIncrement
    if lot > 1 and not on_tick(req.totalQuantity, lot):  # a board lot (TSE: 100 shares)
        return reject(f"The order size must be a multiple of the trading lot of {lot:g} "
                      f"for {inst.contract.localSymbol}.")
    return None


def _check_large(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    largest = MAX_ORDER_SIZE[inst.contract.secType]
    if req.totalQuantity <= largest:
        return None
    return reject(
        f"In accordance with our regulatory obligations as a broker, we cannot accept Large "
        f"Orders for {req.totalQuantity:g} of {inst.contract.localSymbol} that you have "
        f"submitted. Please submit a smaller order (not exceeding {largest:,})."
    )


def _check_type(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    if req.orderType not in KNOWN_ORDER_TYPES:
        return Refusal(321, INVALID_ORDER_TYPE)
    if req.orderType not in inst.orderTypes:
        return Refusal(387, UNSUPPORTED_ORDER_TYPE)
    return None


def _check_prices(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    kind = req.orderType
    if kind in NEEDS_LIMIT and req.lmtPrice is None:
        return reject(f"A limit price is required for {kind} orders.")
    if kind in NEEDS_STOP and req.auxPrice is None:
        return reject(f"A stop price is required for {kind} orders.")
    if kind == "TRAIL":
        refusal = _check_trail(inst, req)
        if refusal:
            return refusal
    limit = req.lmtPrice if kind in USES_LIMIT else None
    for price in (limit, req.auxPrice if kind in NEEDS_STOP else None):
        if price is not None and price <= 0 and inst.contract.secType != "BAG":
            return reject("The price must be greater than zero.")  # a combo's may be a credit
        if price is not None and not on_rule(price, inst.increments):
            return Refusal(110, OFF_TICK)
    return None


def _check_trail(inst: Instrument, req: OrderRequest) -> Refusal | None:
    """A trailing percent in range, or an amount on the price grid (as the blotter's ticket
    checks it; a number that is no number is off the grid)."""
    percent, amount = req.trailingPercent, req.auxPrice
    if percent is not None:
        if not 0 < percent < 100:  # NaN fails this too
            return reject("The trailing percent must be between 0 and 100.")
    elif amount is None:
        return reject("A trailing amount or percent is required for TRAIL orders.")
    elif amount <= 0:
        return reject("The trailing amount must be greater than zero.")
    elif not on_tick(amount, inst.minTick):
        return Refusal(110, OFF_TICK)
    if req.trailStopPrice is not None and not on_rule(req.trailStopPrice, inst.increments):
        return Refusal(110, OFF_TICK)
    return None


def _check_tif(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    tif = req.tif or "DAY"
    if tif not in TIFS_BY_SECTYPE[inst.contract.secType]:
        return reject(f"The time in force {tif} is not supported for this contract.")
    if tif == "OPG" and req.orderType not in ("MKT", "LMT"):
        return reject("OPG orders must be MKT or LMT.")
    if tif == "GTD":
        expiry = parse_ib_time(req.goodTillDate)
        if expiry is None:
            return reject("A valid Good Till Date is required for GTD orders.")
        if expiry <= now:
            return reject("The Good Till Date is in the past.")
    return None


def _check_algo(inst: Instrument, req: OrderRequest, now: dt.datetime) -> Refusal | None:
    if req.algoStrategy and req.algoStrategy not in ALGOS_BY_SECTYPE[inst.contract.secType]:
        return reject(f"The algo {req.algoStrategy} is not available for this contract.")
    times = [p for p in req.algoParams if p.tag in ALGO_TIMES and p.value.strip()]
    for param in times:
        if parse_algo_time(param.value, now.date()) is None:
            return Refusal(10314, BAD_TIME.format(name=param.tag))
    return None


def parse_ib_time(text: str) -> dt.datetime | None:
    """TWS date-times: 'YYYYMMDD HH:MM:SS [zone]' or 'YYYYMMDD-HH:MM:SS' (UTC)."""
    text = text.strip()
    if not text:
        return None
    try:
        if "-" in text[:9] and " " not in text:
            return dt.datetime.strptime(text, "%Y%m%d-%H:%M:%S").replace(tzinfo=dt.UTC)
        day, clock, *zone = text.split()  # at <= 178 TWS writes two spaces and no zone
        tz = _zone(zone[0]) if zone else EXCHANGE_TZ
        parsed = dt.datetime.strptime(day + clock, "%Y%m%d%H:%M:%S")
    except ValueError:
        return None
    return parsed.replace(tzinfo=tz) if tz else None


def parse_algo_time(text: str, today: dt.date) -> dt.datetime | None:
    """Algo start/end times: a full IB date-time, or 'HH:MM:SS zone' meaning today."""
    full = parse_ib_time(text)
    if full is not None:
        return full
    clock, *zone = text.strip().split(" ")
    tz = _zone(zone[0]) if zone else EXCHANGE_TZ
    try:
        return dt.datetime.combine(today, dt.time.fromisoformat(clock), tz) if tz else None
    except ValueError:
        return None


def _zone(name: str) -> ZoneInfo | None:
    """A time zone by name, or None for one TWS would not know ("US" is a directory)."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


# IB cancels a limit this far through the market (recorded: at or more aggressive than
# 190.511058 with the market at 185.07, about 3%; error 202 after PendingCancel).
PRICE_BAND = 0.0294


def price_band_reason(req: OrderRequest, market: float) -> str | None:
    """Why IB's price check cancels this limit at once, or None."""
    if req.orderType != "LMT" or req.lmtPrice is None or market <= 0:
        return None
    buy = req.action == "BUY"
    cap = market * (1 + PRICE_BAND) if buy else market * (1 - PRICE_BAND)
    if not (req.lmtPrice >= cap if buy else req.lmtPrice <= cap):
        return None
    return (f"We cannot accept an order at a limit price at or more aggressive than {cap:.6f}. "
            f"Please submit your order using a limit price that is closer to the current "
            f"market price of {market:g}.")
