"""Quick entry: a one-line order command, read into the same `Ticket` the order form fills.

An order is its side, quantity and symbol, then the order's words in any order:

    b 100 aapl 187.5 gtc                 BUY 100 AAPL LMT 187.5 GTC (a bare price is a limit)
    s 2 es mkt                           SELL 2 ES MKT
    buy 100 msft stp 410                 STP, stop 410
    b 100 msft stp lmt 410 409.5         STP LMT: the stop, then the limit (or stplmt 410 409.5)
    s 100 aapl trail 1.5 / trail 2%      TRAIL by an amount or a percent; [stp P]: initial stop
    b 100 aapl mid [187.6] / moc / loc 187
    b 100 aapl 187.5 tp 189 sl 186       a bracket: take-profit LMT 189, stop-loss STP 186
    b 1k aapl 187.5 adaptive patient     IB algos: adaptive [urgent|normal|patient],
    b 1k aapl 187.5 vwap max 10% start 10:00 end 15:30 past      twap / vwap [start][end][past]

Decisions, each with its reason:
- Words are case-insensitive, and `key=value` reads as `key value` (`acct=DU123`, `max=10%`).
- Sides are b/buy and s/sell only. `short` is refused with a hint: IB has a separate SSHORT
  action, and a plain SELL beyond the position is already a short sale, so "short" could only
  mislead.
- The quantity is a plain positive decimal; `k` multiplies by 1,000 and `m` by 1,000,000 (FX
  sizes). Whole-number and lot rules depend on the contract, so `ticket.validate` checks them.
- No order type and no price is an error, never a market order: a forgotten price must not
  send at market.
- One order type per order: `187.5 stp 186` is refused with the `stp lmt 186 187.5` it may mean.
- A TIF, an exit, an algo or an account said twice is an error, not "the last one wins".
- `@` before a number is the limit price (`@ 187.5`), before a name the account (`@DU123`):
  IB account ids start with a letter.
- Numbers stay as typed (text, like the form's fields); only `1k` style sizes are expanded.

This module checks words only. Whether the order may be sent (ticks, TIF for the contract,
bracket exits on the right side of the entry, algo limits) is `ticket.validate`'s decision,
the same for quick entry and the form; `describe` writes a ticket back in canonical words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .order_extras import ADAPTIVE_PRIORITIES, ALGO_PARAM_NAMES, ALGOS
from .prices import parse_number, parse_quantity
from .spread_words import SpreadWords, describe_legs, read_legs
from .spreads import SpreadTicket
from .ticket import Ticket

__all__ = ["GRAMMAR", "QuickEntryError", "complete", "describe", "parse", "parse_entry",
           "parse_located"]

GRAMMAR = """\
Quick entry: side, quantity, symbol, then the order's words in any order.
  b 100 aapl 187.5 gtc            buy 100 AAPL, limit 187.5, good till cancelled
  s 2 es mkt                      sell 2 ES at market
  b 100 aapl 187.5 tp 189 sl 186  bracket: take-profit 189, stop-loss 186
  b 1 aapl dec18 190/195c 2.50    call vertical: buy 190C, sell 195C, pay at most 2.50
  s 1 aapl dec18 190/195c 2.50    the same vertical sold: receive at least 2.50 credit
  b 1 aapl dec18/jan15 190c 1.20  calendar: sell Dec18, buy Jan15 190C, pay 1.20
  b 1 aapl dec18 190 straddle 9   straddle: buy 190C and 190P (185/195 strangle: 185P, 195C)
side      b buy s sell
quantity  100  2.5  1k (x1,000)  1m (x1,000,000)
symbol    AAPL  ESZ6  EUR.USD  BRK.B  SAP@IBIS (a listing: symbol@exchange)
price     a bare price is a limit order: 187.5 or @ 187.5
type      mkt | lmt P | stp P | stp lmt STOP LIMIT (stplmt) | trail 1.5 or trail 2% [stp P]
          mid [cap] (midprice) | moc | loc P
tif       day gtc ioc fok opg | gtd 2026-12-31 [16:00] (your local time; also 20261231)
exits     tp P: take-profit limit   sl P: stop-loss stop
algo      adaptive [urgent|normal|patient] | twap | vwap [max 10%]
          twap, vwap: [start 10:00] [end 15:30] [past: may run past the end] (New York time)
also      outside (rth+): outside regular hours   @DU123 or acct DU123   oca NAME
spread    expiry (dec18, 20261218; two for a calendar) then 190/195c | 190c | 190 straddle |
          185/195 strangle; b pays a debit, s receives a credit; lmt P or mkt, a TIF, @acct;
          no price opens the spread ticket with its legs
long      buy sell market limit stop midprice account: the long forms
Words are case-insensitive; key=value is the same as key value. An order needs a price or
a type: quick entry never guesses a market order."""

SIDE_WORDS = {"b": "BUY", "buy": "BUY", "s": "SELL", "sell": "SELL"}
TIF_WORDS = ("day", "gtc", "ioc", "fok", "opg", "gtd")
TYPE_WORDS = ("mkt", "lmt", "stp", "stplmt", "trail", "mid", "moc", "loc")
ALGO_WORDS = {algo.lower(): algo for algo in ALGOS}
PRIORITY_WORDS = {priority.lower(): priority for priority in ADAPTIVE_PRIORITIES}
# Algo params in the order `describe` writes them, and which algos take each.
ALGO_PARAMS = {
    "adaptivePriority": ("Adaptive",),
    "maxPctVol": ("Vwap",),
    "startTime": ("Twap", "Vwap"),
    "endTime": ("Twap", "Vwap"),
    "allowPastEndTime": ("Twap", "Vwap"),
}
PARAM_WORDS = {
    "max": "maxPctVol", "start": "startTime", "end": "endTime", "past": "allowPastEndTime"
}

_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)", re.ASCII)  # unsigned: a price is never negative
_QUANTITY = re.compile(r"(\d+\.?\d*|\.\d+)([km]?)", re.ASCII | re.IGNORECASE)
# A symbol, and after @ the exchange it is listed on (sap@ibis): quick entry's words are one
# word each, where the ticket's field takes "SAP IBIS".
_SYMBOL = re.compile(r"[a-z0-9]+(\.[a-z0-9]+)*(@[a-z][a-z0-9]*)?", re.ASCII | re.IGNORECASE)
_ACCOUNT = re.compile(r"[a-z][a-z0-9]*", re.ASCII | re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}", re.ASCII)
_GTD_TIME = re.compile(r"(\d{1,2}):(\d{2})(:\d{2})?", re.ASCII)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)


class QuickEntryError(ValueError):
    """What quick entry didn't understand, and where: `position` is a character offset into
    the text (its length when something is missing at the end), `length` the word's length."""

    def __init__(self, message: str, position: int, length: int = 0,
                 parts: tuple[tuple[str, int], ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.length = length
        # The message in pieces, each with its rank (0 stays longest): a narrow line leaves
        # out whole pieces, never the "did you mean".
        self.parts = parts or ((message, 0),)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    start: int
    number: int  # 1-based, counted by spaces, as the trader sees the line

    @property
    def key(self) -> str:
        return self.text.lower()

    def error(self, hint: str, suggestion: str = "") -> QuickEntryError:
        parts = ((f"I don't understand {self.text!r}", 0), (f" (word {self.number})", 3),
                 (f": {hint}", 2), (f"; did you mean {suggestion}?" if suggestion else "", 1))
        kept = tuple(part for part in parts if part[0])
        return QuickEntryError("".join(text for text, _rank in kept), self.start,
                               len(self.text), kept)


def parse(text: str) -> Ticket:
    """The ticket a quick-entry line describes; raises QuickEntryError for anything else."""
    return parse_located(text)[0]


def parse_located(text: str) -> tuple[Ticket, dict[str, int]]:
    """The ticket, and where in the line each of its fields was said (the ticket's field
    name -> character offset): a problem found later puts the cursor on its word."""
    ticket, spans = parse_entry(text)
    if isinstance(ticket, SpreadTicket):
        raise QuickEntryError("A spread, not a single order", spans.get("legs", 0))
    return ticket, spans


def parse_entry(text: str, today: date | None = None
                ) -> tuple[Ticket | SpreadTicket, dict[str, int]]:
    """An order or a spread (an expiry after the symbol), and where each field was said.
    `today` dates a spread's month-day expiries (dec18: the next Dec 18 from today)."""
    words = _tokenize(text)
    if not words:
        raise QuickEntryError("Type an order, for example: b 100 aapl 187.5", 0)
    reader = _Reader(words, len(text), today)
    reader.read()
    if reader.spread is not None:
        return reader.spread_ticket(), reader.spans
    return reader.ticket(), reader.spans


def describe(ticket: Ticket | SpreadTicket) -> str:
    """The ticket as one canonical quick-entry line, e.g. "BUY 100 AAPL LMT 187.5 DAY"."""
    if isinstance(ticket, SpreadTicket):
        return _describe_spread(ticket)
    parts = [ticket.side, ticket.quantity, ticket.symbol, _describe_type(ticket)]
    parts.append(f"GTD {ticket.gtd}" if ticket.tif == "GTD" else ticket.tif)
    if ticket.outside_rth:
        parts.append("OUTSIDE")
    if ticket.take_profit:
        parts.append(f"TP {ticket.take_profit}")
    if ticket.stop_loss:
        parts.append(f"SL {ticket.stop_loss}")
    if ticket.algo:
        parts.append(ticket.algo.upper())
        params = dict(ticket.algo_params)
        parts.append(params.get("adaptivePriority", "").upper())
        if "maxPctVol" in params:
            parts.append(f"MAX {params['maxPctVol']}%")
        for word, tag in (("START", "startTime"), ("END", "endTime")):
            if tag in params:
                parts.append(f"{word} {params[tag]}")
        if params.get("allowPastEndTime") == "1":
            parts.append("PAST")
    if ticket.oca_group:
        parts.append(f"OCA {ticket.oca_group}")
    if ticket.account:
        parts.append(f"@{ticket.account}")
    return " ".join(part for part in parts if part)


def _describe_spread(ticket: SpreadTicket) -> str:
    """"BUY 1 AAPL 20261218 190/195C LMT 2.50 DAY": the legs in the template's words."""
    price = {"LMT": f"LMT {ticket.limit}" if ticket.limit else ""}.get(ticket.order_type,
                                                                      ticket.order_type)
    parts = [ticket.side, ticket.quantity, ticket.legs[0].underlying,
             describe_legs(ticket.legs), price, ticket.tif]
    if ticket.account:
        parts.append(f"@{ticket.account}")
    return " ".join(part for part in parts if part)


def _describe_type(ticket: Ticket) -> str:
    words = {
        "LMT": f"LMT {ticket.limit}",
        "STP": f"STP {ticket.stop}",
        "STP LMT": f"STP LMT {ticket.stop} {ticket.limit}",
        "MIDPRICE": f"MIDPRICE {ticket.limit}".strip(),
        "LOC": f"LOC {ticket.limit}",
    }
    if ticket.order_type == "TRAIL":
        by = f"{ticket.trail_percent}%" if ticket.trail_percent else ticket.trail_amount
        return f"TRAIL {by} STP {ticket.stop}" if ticket.stop else f"TRAIL {by}"
    return words.get(ticket.order_type, ticket.order_type)


def complete(text: str, symbols: Iterable[str] = (), accounts: Iterable[str] = ()) -> list[str]:
    """Candidates for the word being typed (after the last space or '='), likeliest first.

    Keywords come lower case, or upper case when the word is typed in upper case; symbols and
    accounts come from the lists given, as given.
    """
    current = re.search(r"[^\s=]*\Z", text)
    assert current is not None  # the pattern matches the empty tail too
    typed, done = current.group(), _tokenize(text[: current.start()])
    prefix = typed.lower()
    if len(done) == 2:
        return _starting(symbols, prefix)
    if len(done) > 3 and done[-1].key in ("acct", "account", "@"):
        return _starting(accounts, prefix)
    if len(done) >= 3 and typed.startswith("@"):
        return ["@" + account for account in _starting(accounts, prefix[1:])]
    if len(done) == 1:
        return []  # a quantity: nothing to offer
    candidates = _next_words(done) if done else ["buy", "sell"]
    matches = [word for word in candidates if word.startswith(prefix)]
    return [word.upper() for word in matches] if typed.isupper() else matches


def _starting(names: Iterable[str], prefix: str) -> list[str]:
    return [name for name in dict.fromkeys(names) if name.lower().startswith(prefix)]


def _next_words(done: list[_Word]) -> list[str]:
    reader = _Reader(done, 0)
    try:
        reader.read()
    except QuickEntryError:
        # Only "stp" waits for a word we can offer; other gaps want a number or a name.
        return ["lmt"] if done[-1].key in ("stp", "stop") else []
    said, algo = reader.said, reader.algo
    if reader.spread is not None:  # a spread takes its price, a TIF and an account only
        return [w for w in ("lmt", "mkt", *TIF_WORDS, "acct") if w in SPREAD_CLAUSES
                and PART_OF.get(w, "type") not in said]
    words = list(reader.options)
    if algo:  # the algo's own words first: they are what a trader adds next
        words += [w for w, tag in PARAM_WORDS.items() if algo in ALGO_PARAMS[tag]]
        words += PRIORITY_WORDS if algo == "Adaptive" else ()
        words = [w for w in words if PARAM_WORDS.get(w, w) not in said]
        if "adaptivePriority" in said:
            words = [w for w in words if w not in PRIORITY_WORDS]
    if "type" not in said:
        words += TYPE_WORDS
    if "tif" not in said:
        words += TIF_WORDS
    words += [w for w in ("tp", "sl") if w not in said]
    words += () if algo else ALGO_WORDS
    words += [w for w in ("outside", "acct", "oca") if w not in said]
    return list(dict.fromkeys(words))


def _tokenize(text: str) -> list[_Word]:
    """Words split on spaces and '=', each with its offset and its space-counted number."""
    words = []
    for number, chunk in enumerate(re.finditer(r"\S+", text), start=1):
        for part in re.finditer(r"[^=]+", chunk.group()):
            words.append(_Word(part.group(), chunk.start() + part.start(), number))
    return words


class _Reader:
    """Reads the words left to right into ticket fields, remembering which word said what."""

    def __init__(self, words: list[_Word], end: int, today: date | None = None) -> None:
        self.today = today
        self.spread: SpreadWords | None = None  # the legs, when an expiry follows the symbol
        self.words = words
        self.at = 0
        self.end = end  # where "missing at the end" points
        self.fields: dict[str, Any] = {}
        self.params: dict[str, str] = {}
        self.said: dict[str, _Word] = {}  # part of the order -> the word that gave it
        self.options: tuple[str, ...] = ()  # optional words the last clause still takes
        self.algo = ""
        self.spans: dict[str, int] = {}  # ticket field -> where its word starts
        self._prices: list[_Word] = []  # the words prices were read from, in order

    def read(self) -> None:
        side = self._take("a side: b, buy, s or sell")
        self.fields["side"] = _side(side)
        quantity = self._take("a quantity, like 100 or 1k")
        self.fields["quantity"] = _quantity(quantity)
        symbol = self._take("a symbol, like AAPL or ES")
        if not _SYMBOL.fullmatch(symbol.text):
            raise symbol.error("expected a symbol like AAPL, ESZ6, EUR.USD or SAP@IBIS")
        self.fields["symbol"] = symbol.text.upper()
        for name, word in (("side", side), ("quantity", quantity), ("symbol", symbol)):
            self.spans[name] = word.start
        self._legs()
        while self.at < len(self.words):
            self.options = ()
            word = self._take("")
            self._clause(word)

    def ticket(self) -> Ticket:
        """The ticket once every word is read: checks what only the whole line can tell."""
        if "type" not in self.said:
            raise QuickEntryError(
                "Missing a price or an order type at the end, e.g. 187.5 or mkt", self.end
            )
        for tag, word in self.said.items():
            if tag in ALGO_PARAMS and self.algo not in ALGO_PARAMS[tag]:
                needs = " or ".join(a.lower() for a in ALGO_PARAMS[tag])
                raise word.error(f"{word.key!r} goes with the {needs} algo")
        if self.algo == "Adaptive":
            self.params.setdefault("adaptivePriority", "Normal")  # IB's own default
        params = tuple((tag, self.params[tag]) for tag in ALGO_PARAMS if tag in self.params)
        return Ticket(**self.fields, algo=self.algo, algo_params=params)

    def spread_ticket(self) -> SpreadTicket:
        """The spread once every word is read; no price leaves its limit for the ticket."""
        assert self.spread is not None
        fields = self.fields
        return SpreadTicket(self.spread.legs, side=fields["side"], quantity=fields["quantity"],
                            order_type=fields.get("order_type", "LMT"),
                            limit=fields.get("limit", ""), tif=fields.get("tif", "DAY"),
                            account=fields.get("account", ""))

    def _legs(self) -> None:
        """A spread's words, when an expiry follows the symbol: its legs from the template."""
        first = self.words[self.at] if self.at < len(self.words) else None
        today = self.today or date.today()  # a month-day expiry is the next one from today
        if first is None or not SpreadWords.starts(first.text, today):
            return
        self.at += 1
        self.spans["legs"] = first.start
        rest = [(w.text, w.start) for w in self.words[self.at:]]
        try:
            self.spread, used = read_legs(self.fields["symbol"], first.text, rest, today)
        except ValueError as exc:
            where, hint = exc.args
            if where < 0:  # the line ended before the legs did
                raise QuickEntryError(f"Missing strikes at the end: {hint}", self.end) from None
            raise self._word_at(where, first).error(hint) from None
        self.at += used

    def _word_at(self, start: int, default: _Word) -> _Word:
        return next((w for w in self.words if w.start == start), default)

    # ---- the words after the symbol ------------------------------------------------------
    def _clause(self, word: _Word) -> None:
        key = word.key
        if self.spread is not None and not (_NUMBER.fullmatch(key) or key.startswith("@")
                                            or key in SPREAD_CLAUSES):
            raise word.error("a spread takes a net limit (lmt 2.50) or mkt, a TIF (day gtc "
                             "ioc fok) and @account")
        if _NUMBER.fullmatch(key):
            self._prices.append(word)
            self._set_type(word, "LMT", limit=_price(word))
        elif key.startswith("@"):
            self._at(word)
        elif key in CLAUSES:
            CLAUSES[key](self, word)
        else:
            raise word.error(*_hint(key))

    def _at(self, word: _Word) -> None:
        value = _Word(word.text[1:], word.start + 1, word.number) if word.text[1:] else None
        value = value or self._take(f"a price or an account after {word.text!r}")
        if _NUMBER.fullmatch(value.text):
            self._prices.append(value)
            self._set_type(word, "LMT", limit=_price(value))
        else:
            self._account(word, value)

    def _market(self, word: _Word) -> None:
        self._set_type(word, "MKT")

    def _limit(self, word: _Word) -> None:
        self._set_type(word, "LMT", limit=self._price_after(word, "a limit price"))

    def _stop(self, word: _Word) -> None:
        if self._peek() in ("lmt", "limit"):
            self.at += 1
            self._stop_limit(word)
        else:
            self._set_type(word, "STP", stop=self._price_after(word, "a stop price"))

    def _stop_limit(self, word: _Word) -> None:
        stop = self._price_after(word, "a stop price")
        limit = self._price_after(word, "a limit price after the stop price")
        self._set_type(word, "STP LMT", stop=stop, limit=limit)

    def _trail(self, word: _Word) -> None:
        by = self._take(f"a trailing amount or percent after {word.text!r}, like 1.5 or 2%")
        self._prices.append(by)
        if by.text.endswith("%"):
            prices = {"trail_percent": _price(by, by.text[:-1])}
        else:
            prices = {"trail_amount": _price(by)}
        if self._peek() in ("stp", "stop"):
            prices["stop"] = self._price_after(self._take(""), "an initial stop price")
        else:
            self.options = ("stp",)
        self._set_type(word, "TRAIL", **prices)

    def _midprice(self, word: _Word) -> None:
        cap = self._peek()
        if cap is not None and _NUMBER.fullmatch(cap):
            self._set_type(word, "MIDPRICE", limit=self._price_after(word, ""))
        else:
            self._set_type(word, "MIDPRICE")

    def _moc(self, word: _Word) -> None:
        self._set_type(word, "MOC")

    def _loc(self, word: _Word) -> None:
        self._set_type(word, "LOC", limit=self._price_after(word, "a limit price"))

    def _tif(self, word: _Word) -> None:
        self._say("tif", word)
        self.spans["tif"] = word.start
        self.fields["tif"] = word.key.upper()

    def _gtd(self, word: _Word) -> None:
        self._say("tif", word)
        date = self._take(f"a date after {word.text!r}, like 2026-12-31")
        self.spans["gtd"] = date.start
        if not (_DATE.fullmatch(date.text) and _real_date(date.text)):
            raise date.error("expected a date like 2026-12-31 or 20261231")
        gtd = date.text
        clock = self._peek()
        if clock is not None and _GTD_TIME.fullmatch(clock):
            time = self._take("")
            if not _real_time(time.text, _GTD_TIME):
                raise time.error("expected a time like 16:00")
            gtd = f"{gtd} {time.text}"
        self.fields.update(tif="GTD", gtd=gtd)

    def _exit(self, word: _Word) -> None:
        name = "take_profit" if word.key == "tp" else "stop_loss"
        self._say(word.key, word)
        what = "a take-profit price" if word.key == "tp" else "a stop-loss price"
        self.fields[name] = self._price_after(word, what)
        self.spans[name] = self._prices.pop().start

    def _outside(self, word: _Word) -> None:
        self._say("outside", word)
        self.fields["outside_rth"] = True

    def _account(self, word: _Word, value: _Word | None = None) -> None:
        self._say("acct", word)
        value = value or self._take(f"an account after {word.text!r}, like DU1234567")
        if not _ACCOUNT.fullmatch(value.text):
            raise value.error("expected an account like DU1234567")
        self.fields["account"] = value.text.upper()
        self.spans["account"] = value.start

    def _oca(self, word: _Word) -> None:
        self._say("oca", word)
        self.fields["oca_group"] = self._take(f"a group name after {word.text!r}").text

    def _algo(self, word: _Word) -> None:
        self._say("algo", word)
        self.spans["algo"] = word.start
        self.algo = ALGO_WORDS[word.key]

    def _priority(self, word: _Word) -> None:
        self._say("adaptivePriority", word)
        self.params["adaptivePriority"] = PRIORITY_WORDS[word.key]

    def _algo_param(self, word: _Word) -> None:
        tag = PARAM_WORDS[word.key]
        self._say(tag, word)
        if tag == "allowPastEndTime":
            self.params[tag] = "1"
        elif tag == "maxPctVol":
            pct = self._take(f"a percent of volume after {word.text!r}, like 10%")
            self.params[tag] = _price(pct, pct.text.removesuffix("%"))
        else:
            clock = self._take(f"a time after {word.text!r}, like 15:30")
            if not _real_time(clock.text, _CLOCK):
                raise clock.error("expected a time like 09:30 or 15:30")
            hours, minutes = clock.text.split(":")
            self.params[tag] = f"{int(hours):02d}:{minutes}"  # IB wants two-digit hours

    # ---- helpers ---------------------------------------------------------------------------
    def _set_type(self, word: _Word, order_type: str, **prices: str) -> None:
        if "type" in self.said:
            raise word.error(self._second_type(order_type, prices))
        self.said["type"] = word
        self.fields.update(order_type=order_type, **prices)
        self.spans["order_type"] = word.start
        if prices:  # the words they were read from are the last ones kept
            said, self._prices = self._prices[-len(prices):], self._prices[: -len(prices)]
            self.spans.update((name, w.start) for name, w in zip(prices, said, strict=True))

    def _second_type(self, order_type: str, prices: dict[str, str]) -> str:
        first = self.said["type"]
        hint = f"the order is already {self.fields['order_type']} (word {first.number})"
        both = {**self.fields, **prices}
        if {self.fields["order_type"], order_type} == {"LMT", "STP"}:
            hint += f"; for a stop limit write stp lmt {both['stop']} {both['limit']}"
        return hint

    def _say(self, part: str, word: _Word) -> None:
        if part in self.said:
            first, name = self.said[part], _PART_NAMES.get(part, part)
            raise word.error(f"the {name} is already given by {first.text!r} (word {first.number})")
        self.said[part] = word

    def _take(self, what: str) -> _Word:
        if self.at >= len(self.words):
            raise QuickEntryError(f"Missing {what} at the end", self.end)
        self.at += 1
        return self.words[self.at - 1]

    def _peek(self) -> str | None:
        return self.words[self.at].key if self.at < len(self.words) else None

    def _price_after(self, word: _Word, what: str) -> str:
        taken = self._take(f"{what} after {word.text!r}")
        self._prices.append(taken)
        return _price(taken)


CLAUSES: dict[str, Callable[[_Reader, _Word], None]] = {
    **dict.fromkeys(("mkt", "market"), _Reader._market),
    **dict.fromkeys(("lmt", "limit"), _Reader._limit),
    **dict.fromkeys(("stp", "stop"), _Reader._stop),
    "stplmt": _Reader._stop_limit,
    "trail": _Reader._trail,
    **dict.fromkeys(("mid", "midprice"), _Reader._midprice),
    "moc": _Reader._moc,
    "loc": _Reader._loc,
    **dict.fromkeys(("day", "gtc", "ioc", "fok", "opg"), _Reader._tif),
    "gtd": _Reader._gtd,
    **dict.fromkeys(("tp", "sl"), _Reader._exit),
    **dict.fromkeys(("outside", "rth+"), _Reader._outside),
    **dict.fromkeys(("acct", "account"), _Reader._account),
    "oca": _Reader._oca,
    **dict.fromkeys(ALGO_WORDS, _Reader._algo),
    **dict.fromkeys(PRIORITY_WORDS, _Reader._priority),
    **dict.fromkeys(PARAM_WORDS, _Reader._algo_param),
}
PART_OF = {**dict.fromkeys(TIF_WORDS, "tif"), "acct": "acct"}  # what a word says of an order
SPREAD_CLAUSES = frozenset({"mkt", "market", "lmt", "limit", "day", "gtc", "ioc", "fok",
                            "acct", "account"})
# What to say when a word is close to a known one: the family it seems to belong to.
_FAMILIES = {
    **dict.fromkeys(TIF_WORDS, "expected a TIF like DAY or GTC"),
    **dict.fromkeys(TYPE_WORDS, "expected an order type like MKT, STP or TRAIL"),
    **dict.fromkeys(ALGO_WORDS, "expected an algo: ADAPTIVE, TWAP or VWAP"),
}
_PART_NAMES = {
    **ALGO_PARAM_NAMES, "tif": "time in force", "tp": "take-profit", "sl": "stop-loss",
    "outside": "outside-RTH flag", "acct": "account", "oca": "OCA group",
}
_ANYTHING = "expected a price, an order type, a TIF, tp/sl, an algo or @account"
_SHORT = "to sell short type s or sell (IB sells short when you hold none)"


def _hint(key: str) -> tuple[str, str]:
    """What was expected, and the known word it is closest to ("" when none is close)."""
    if key == "short":
        return _SHORT, ""
    # The first of equally close words wins, so "gtx" suggests GTC (listed before GTD).
    close = max(CLAUSES, key=lambda word: difflib.SequenceMatcher(None, key, word).ratio())
    if difflib.SequenceMatcher(None, key, close).ratio() < 0.6:
        return _ANYTHING, ""
    return _FAMILIES.get(close, _ANYTHING), close.upper()


def _side(word: _Word) -> str:
    if word.key in SIDE_WORDS:
        return SIDE_WORDS[word.key]
    if word.key == "short":
        raise word.error(_SHORT)
    raise word.error("an order starts with b, buy, s or sell")


def _quantity(word: _Word) -> str:
    """As typed, or written out when it has a suffix: 2.5k -> "2500"."""
    if _QUANTITY.fullmatch(word.text) is None:
        raise word.error("expected a quantity like 100 or 1k")
    size = parse_quantity(word.text)
    if size is None:
        raise word.error("the quantity must be less than a trillion")
    if size <= 0:
        raise word.error("the quantity must be more than 0")
    return word.text if word.text[-1].isdigit() else format(size.normalize(), "f")


def _price(word: _Word, text: str | None = None) -> str:
    """A positive plain decimal (the word, or the number part of it), kept as typed: the form
    keeps its fields as typed too."""
    text = word.text if text is None else text
    number = parse_number(text) if _NUMBER.fullmatch(text) else None
    if number is None:
        raise word.error("expected a number like 187.5")
    if number <= Decimal(0):
        raise word.error("the number must be more than 0")
    return text


def _real_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d" if "-" in text else "%Y%m%d")
    except ValueError:
        return False
    return True


def _real_time(text: str, pattern: re.Pattern[str]) -> bool:
    match = pattern.fullmatch(text)
    if match is None:
        return False
    hours, minutes, *seconds = (int(part.strip(":")) for part in match.groups() if part)
    return hours < 24 and minutes < 60 and all(s < 60 for s in seconds)
