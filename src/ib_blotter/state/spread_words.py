"""A spread's legs in quick entry's words, after the underlying:

    dec18 190/195c          vertical (calls; 190/195p: puts), one expiry, two strikes
    dec18/jan15 190c        calendar, two expiries, one strike
    dec18 190 straddle      straddle, one strike
    dec18 185/195 strangle  strangle: the lower strike's put, the higher's call

An expiry is any form the option symbols take alone (dec18, 18dec26, 20261218). The legs are
the template's (see `spreads`): what "buy" means; the order's side says bought or sold.
Pure: today is an argument.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .option_symbols import expiry_of
from .spreads import Kind, SpreadLeg, build, is_bought_as_template, kind_of, strike_text

_STRIKES = re.compile(r"(\d+(?:\.\d+)?)(?:/(\d+(?:\.\d+)?))?([cp]?)", re.ASCII | re.IGNORECASE)
NAMED = {"straddle": Kind.STRADDLE, "strangle": Kind.STRANGLE}
# Short: at 80 columns the hint must fit beside "I don't understand '190/195'".
STRIKE_HINT = "expected strikes like 190/195c or 190 straddle"


@dataclass(frozen=True, slots=True)
class SpreadWords:
    """The legs a phrase names, and which template it is."""

    legs: tuple[SpreadLeg, ...]
    kind: Kind

    @staticmethod
    def starts(word: str, today: date) -> bool:
        """The word after the symbol is an expiry (or two): the line is a spread."""
        return all(expiry_of(part, today) for part in word.split("/")) and bool(word)


def read_legs(underlying: str, expiry_word: str, rest: Sequence[tuple[str, int]],
              today: date) -> tuple[SpreadWords, int]:
    """The legs, and how many of `rest` (the words after the expiry, each with its offset)
    they took. Raises ValueError(offset, hint) naming the word not understood."""
    expiries = [expiry_of(part, today) or "" for part in expiry_word.split("/")]
    if not rest:
        raise ValueError(-1, "expected strikes after the expiry, like 190/195c")
    text, start = rest[0]
    found = _STRIKES.fullmatch(text)
    if found is None or len(expiries) > 2:
        raise ValueError(start, STRIKE_HINT if found is None else "at most two expiries")
    strikes = [Decimal(s) for s in found.groups()[:2] if s]
    right = found.group(3).upper()
    named = NAMED.get(rest[1][0].lower()) if len(rest) > 1 else None
    kind, used = _kind(len(expiries), len(strikes), right, named, start)
    if len(set(strikes)) < len(strikes):
        raise ValueError(start, "the two strikes are the same")
    if len(set(expiries)) < len(expiries):
        raise ValueError(start - 1, "the two expiries are the same")
    draft = build(kind, underlying.upper(), expiries, strikes, right or "C")
    return SpreadWords(draft.legs, kind), used


def _kind(expiries: int, strikes: int, right: str, named: Kind | None,
          start: int) -> tuple[Kind, int]:
    if expiries == 2:
        if strikes != 1 or not right:
            raise ValueError(start, "a calendar takes one strike and a right, like 190c")
        return Kind.CALENDAR, 1
    if named is not None:
        if right:
            raise ValueError(start, f"a {named} takes strikes without a right")
        if (strikes == 1) != (named is Kind.STRADDLE):
            wanted = "one strike" if named is Kind.STRADDLE else "two strikes, like 185/195"
            raise ValueError(start, f"a {named} takes {wanted}")
        return named, 2
    if strikes == 2 and right:
        return Kind.VERTICAL, 1
    if strikes == 2:
        raise ValueError(start, "add a right: 190/195c, or 185/195 strangle")
    raise ValueError(start, "one strike: 190/195c for a vertical, or 190 straddle")


def describe_legs(legs: Sequence[SpreadLeg]) -> str:
    """The legs in canonical words: "20261218 190/195C", "20261218/20270115 190C",
    "20261218 190 STRADDLE"; ValueError for legs no template builds this way round."""
    if not is_bought_as_template(legs):
        raise ValueError("quick entry has no words for these legs")
    kind = kind_of(legs)
    expiries = sorted({leg.expiry for leg in legs})
    strikes = "/".join(strike_text(k) for k in sorted({leg.strike for leg in legs}))
    right = legs[0].right
    if kind is Kind.CALENDAR:
        return f"{'/'.join(expiries)} {strikes}{right}"
    if kind is Kind.VERTICAL:
        return f"{expiries[0]} {strikes}{right}"
    return f"{expiries[0]} {strikes} {kind.value.upper()}"
