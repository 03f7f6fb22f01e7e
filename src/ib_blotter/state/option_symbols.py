"""An option as a trader types it, and as the blotter writes it back.

Typed in the symbol field, in any of the forms traders use:

    aapl 20261218 190 c          underlying, expiry, strike, right (call / put spelt out too)
    AAPL 190C Dec18              strike and right together, the expiry as month and day (the
                                 next Dec 18 from today) or 18Dec26 with its year
    AAPL  261218C00190000        the OCC symbol (root padded to six, or not padded at all)
    ES 20261218 5400 C           the same words for an option on a future (FOP)

Whether it is an option on a stock or on a future is IB's to say (the lookup asks). Pure: no
IB, no clock (today is an argument).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
RIGHTS = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}
OCC_STRIKE_SCALE = 1000  # the OCC symbol's strike: eight digits, in thousandths
_OCC = re.compile(r"([A-Z][A-Z0-9.]{0,5}) *(\d{6})([CP])(\d{8})")
_UNDERLYING = re.compile(r"[A-Z][A-Z0-9.]{0,5}")
_STRIKE = re.compile(r"\d+(\.\d+)?|\.\d+")
_STRIKE_RIGHT = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(C|P|CALL|PUT)")
_MONTH_DAY = re.compile(r"([A-Z]{3})(\d{1,2})")  # DEC18
_DAY_MONTH = re.compile(r"(\d{1,2})([A-Z]{3})(\d{2})?")  # 18DEC, 18DEC26
_ISO = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")  # 20261218, 2026-12-18


@dataclass(frozen=True, slots=True)
class OptionWanted:
    """What the trader asked for: IB's contract has these, plus its exchange and multiplier."""

    underlying: str  # AAPL, ES
    expiry: str  # YYYYMMDD, IB's lastTradeDateOrContractMonth
    strike: Decimal
    right: str  # C or P

    @property
    def expiry_date(self) -> date:
        return date(int(self.expiry[:4]), int(self.expiry[4:6]), int(self.expiry[6:]))


def parse_option(text: str, today: date) -> OptionWanted | None:
    """The option the text names, or None when it names none (a stock, a future, a typo)."""
    text = " ".join(text.strip().upper().split())
    occ = _OCC.fullmatch(text)
    if occ is not None:
        return _from_occ(*occ.groups())
    words = text.split(" ")
    if len(words) < 3 or not _UNDERLYING.fullmatch(words[0]):
        return None
    return _from_words(words[0], words[1:], today)


def describe_option(option: OptionWanted) -> str:
    """The canonical words: "AAPL 20261218 190 C"."""
    return f"{option.underlying} {option.expiry} {_strike(option.strike)} {option.right}"


def occ_symbol(option: OptionWanted) -> str:
    """The OCC symbol, as IB's localSymbol of a US option: "AAPL  261218C00190000"."""
    thousandths = int(option.strike * OCC_STRIKE_SCALE)
    return f"{option.underlying:<6}{option.expiry[2:]}{option.right}{thousandths:08d}"


def option_label(option: OptionWanted, width: int = 0) -> str:
    """The option in a few characters, at most `width` when it is given (0: the full form):
    "AAPL 18Dec26 190C", "AAPL Dec18 190C", "AAPL 190C" (the expiry elsewhere)."""
    full, short = _dated_forms(option)
    return _first_fitting((full, short, f"{option.underlying} {_strike_right(option)}"), width)


def leg_label(option: OptionWanted, width: int = 0) -> str:
    """A combo's leg under its row: the underlying goes before the expiry does (the row
    names it, and a calendar's legs differ by expiry only): "Dec4 192.5C"."""
    full, short = _dated_forms(option)
    return _first_fitting((full, short, short.split(" ", 1)[1]), width)


def _dated_forms(option: OptionWanted) -> tuple[str, str]:
    day = option.expiry_date
    month = MONTHS[day.month - 1].capitalize()
    strike = _strike_right(option)
    return (f"{option.underlying} {day.day}{month}{day:%y} {strike}",
            f"{option.underlying} {month}{day.day} {strike}")


def _strike_right(option: OptionWanted) -> str:
    return f"{_strike(option.strike)}{option.right}"


def _first_fitting(forms: tuple[str, ...], width: int) -> str:
    return next((form for form in forms if not width or len(form) <= width), forms[-1])


def fit_symbol(symbol: str, width: int, today: date, *, leg: bool = False) -> str:
    """A symbol in `width` characters: an option's label in the longest form that fits (a
    combo's leg: `leg_label`); anything else as it is (the table cuts it)."""
    option = parse_option(symbol, today) if len(symbol) > width else None
    if option is None:
        return symbol
    return leg_label(option, width) if leg else option_label(option, width)


def _from_occ(root: str, yymmdd: str, right: str, thousandths: str) -> OptionWanted | None:
    expiry = _valid_date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    if expiry is None:
        return None
    strike = Decimal(int(thousandths)) / OCC_STRIKE_SCALE
    return OptionWanted(root, expiry, strike.normalize(), right) if strike > 0 else None


def _from_words(underlying: str, words: list[str], today: date) -> OptionWanted | None:
    """The words after the underlying, in any order: an expiry, and a strike and a right
    (apart, or together as 190C)."""
    expiry = strike = right = None
    for word in words:
        together = _STRIKE_RIGHT.fullmatch(word)
        if together and strike is None and right is None:
            strike, right = _number(together.group(1)), RIGHTS[together.group(2)]
        elif word in RIGHTS and right is None:
            right = RIGHTS[word]
        elif expiry is None and (found := _expiry(word, today)) is not None:
            expiry = found
        elif _STRIKE.fullmatch(word) and strike is None:
            strike = _number(word)
        else:
            return None
    if expiry is None or strike is None or right is None or strike <= 0:
        return None
    return OptionWanted(underlying, expiry, strike, right)


def expiry_of(word: str, today: date) -> str | None:
    """An expiry typed alone ("dec18", "18dec26", "20261218") as YYYYMMDD; None if it is none."""
    return _expiry(word.strip().upper(), today)


def _expiry(word: str, today: date) -> str | None:
    """An expiry as YYYYMMDD: written whole, or as a month and day (the next one from today)
    with or without a two-digit year."""
    iso = _ISO.fullmatch(word)
    if iso is not None:
        return _valid_date(*(int(part) for part in iso.groups()))
    month_day = _MONTH_DAY.fullmatch(word)
    if month_day is not None and month_day.group(1) in MONTHS:
        return _next(MONTHS.index(month_day.group(1)) + 1, int(month_day.group(2)), today)
    day_month = _DAY_MONTH.fullmatch(word)
    if day_month is not None and day_month.group(2) in MONTHS:
        month, day = MONTHS.index(day_month.group(2)) + 1, int(day_month.group(1))
        year = day_month.group(3)
        return _valid_date(2000 + int(year), month, day) if year else _next(month, day, today)
    return None


def _next(month: int, day: int, today: date) -> str | None:
    """The next such day from today (today included): Dec18 in January is this year's."""
    this_year = _valid_date(today.year, month, day)
    if this_year is not None and this_year >= f"{today:%Y%m%d}":
        return this_year
    return _valid_date(today.year + 1, month, day)


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return f"{date(year, month, day):%Y%m%d}"
    except ValueError:
        return None


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


def _strike(strike: Decimal) -> str:
    """190, 192.5, 0.5: never 1.9E+2."""
    return format(strike.normalize(), "f")
