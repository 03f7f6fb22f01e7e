"""`ChainScreen`: an underlying's option chain, one expiry at a time, by keyboard only.

Enter puts the cursor's option into the order ticket (as if typed there: the ticket's checks,
the gate and the confirmation follow as for any order); with two legs or more marked (b, s)
it tells the app `LegsPicked` instead, which opens the spread ticket on them. The quote lines
of an expiry go when another is shown, and all of them with the screen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from ..ib.errors import AdapterError
from ..state.chain import ChainWalk, OptionCell
from ..state.option_symbols import MONTHS, OptionWanted
from ..state.spreads import SpreadLeg
from .blotter_footer import BlotterFooter
from .chain_table import ChainTable, strike_text
from .fitted_line import FittedLine, Item
from .guard import guarded

if TYPE_CHECKING:
    from ..ib.chains import ChainFeed
    from .app import BlotterApp

PAGE = 10  # strikes a page key moves
EXPIRY = Binding.Group("Expiry")  # [ and ] show together in the footer
LEGS = Binding.Group("Legs")  # b and s too


class ChainScreen(Screen[OptionWanted | None]):
    """Calls and puts around the money of one expiry; the ticket gets the option picked."""

    DEFAULT_CSS = """
    ChainScreen #chain-title { padding: 0 1; background: $panel; }
    ChainScreen ChainTable { height: 1fr; }
    """
    AUTO_FOCUS = "ChainTable"
    BINDINGS = [
        Binding("enter", "pick", "Ticket", tooltip="Put the option into the order ticket "
                "(with 2 legs or more marked: the spread ticket)"),
        Binding("escape", "back", "Back", tooltip="Back to the blotter"),
        Binding("up,k", "move(-1)", "Up", show=False, tooltip="The strike above"),
        Binding("down,j", "move(1)", "Down", show=False, tooltip="The strike below"),
        Binding("pageup", f"move(-{PAGE})", "Page up", show=False, tooltip="Ten strikes up"),
        Binding("pagedown", f"move({PAGE})", "Page down", show=False,
                tooltip="Ten strikes down"),
        Binding("left,left_square_bracket", "expiry(-1)", "Expiry", key_display="[",
                group=EXPIRY, tooltip="The expiry before"),
        Binding("right,right_square_bracket", "expiry(1)", "Expiry", key_display="]",
                group=EXPIRY, tooltip="The expiry after"),
        Binding("tab", "switch_side", "Calls/puts", priority=True,
                tooltip="Between the calls and the puts"),
        Binding("b", "mark('BUY')", "Buy leg", group=LEGS,
                tooltip="Mark the option as a leg to buy (again: unmark)"),
        Binding("s", "mark('SELL')", "Sell leg", group=LEGS,
                tooltip="Mark the option as a leg to sell (again: unmark)"),
    ]

    class LegsPicked(Message):
        """The trader picked these legs for a spread (in the order marked)."""

        def __init__(self, legs: tuple[SpreadLeg, ...]) -> None:
            super().__init__()
            self.legs = legs

    def __init__(self, underlying: str, today: date, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.underlying = underlying
        self.today = today
        self.walk: ChainWalk | None = None
        self.feed: ChainFeed | None = None
        self.problem = ""  # why there is no chain to show

    @property
    def blotter_app(self) -> BlotterApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield FittedLine([Item.of(f"{self.underlying} option chain", 0, "bold")],
                         id="chain-title")
        yield ChainTable(id="chain")
        yield BlotterFooter(readonly=self.blotter_app.settings.readonly)

    @property
    def table(self) -> ChainTable:
        return self.query_one(ChainTable)

    def on_mount(self) -> None:
        self.run_worker(self._open(), group="chain")

    def on_unmount(self) -> None:
        if self.feed is not None:
            self.feed.close()  # never leave a quote line behind: IB allows 100

    @guarded
    async def _open(self) -> None:
        from ..ib.chains import ChainFeed
        from ..ib.lookup import LookupFailed

        try:
            self.feed = ChainFeed(self.blotter_app.adapter, self._price_moved, self._quoted)
            listing = await self.feed.open(self.underlying)
        except (LookupFailed, AdapterError) as exc:
            self._cannot(str(exc))
            return
        walk = self.walk = ChainWalk(listing)
        walk.centre(self.feed.price if self.feed.price is not None
                    else float(listing.strikes[len(listing.strikes) // 2]))
        self.table.replace_all(walk.rows())
        self.table.cursor_row = walk.row
        self._describe()
        await self._show_expiry()

    def _cannot(self, reason: str) -> None:
        self.problem = reason
        self.table.empty_text = reason
        self.table.refresh()
        self.notify(reason, severity="warning")

    async def _show_expiry(self) -> None:
        if self.feed is None or self.walk is None:
            return
        try:
            await self.feed.show(self.walk.expiry, self.walk.by_nearness())
        except AdapterError as exc:
            self.notify(str(exc), severity="warning")

    # ---- IB's news -> the walk -> the rows that changed ----------------------------------
    @guarded
    def _quoted(self, strike: Decimal, right: str, cell: OptionCell) -> None:
        if self.walk is not None and self.walk.quoted(strike, right, cell) is not None:
            self.table.upsert(self.walk.row_of(strike))

    @guarded
    def _price_moved(self, price: float) -> None:
        if self.walk is not None:
            self._repaint(self.walk.underlying_moved(price))
            self._describe()

    def _repaint(self, strikes: set[Decimal]) -> None:
        walk = self.walk
        if walk is None:
            return
        for strike in strikes:
            self.table.upsert(walk.row_of(strike))
        self.table.cursor_row = walk.row

    def _describe(self) -> None:
        """The title line: the underlying and its price, the expiry and how far it is, and
        the legs picked (the least needed leave first when the width is short)."""
        walk, feed = self.walk, self.feed
        if walk is None or feed is None:
            return
        expiry = _day(walk.expiry)
        price = f" {feed.price:.2f}" if feed.price is not None else ""
        items = [Item(Text.assemble((walk.listing.underlying, "bold"), price), 0, gap=""),
                 Item.of(f"{expiry:%a} {expiry.day}{expiry:%b%y}", 0, "bold"),
                 Item.of(f"{(expiry - self.today).days}d", 1, gap=" "),
                 Item.of(f"{walk.expiry_index + 1}/{len(walk.listing.expiries)}", 3),
                 Item.of(f"x{walk.listing.multiplier:g}", 4, "dim")]
        if walk.legs:
            items.append(Item(_legs_text(walk.legs, walk.expiry), 2, gap="   "))
        self.query_one("#chain-title", FittedLine).show(items)

    # ---- keys ----------------------------------------------------------------------------
    @guarded
    def action_move(self, delta: int) -> None:
        if self.walk is not None:
            self._repaint(self.walk.move(delta))

    @guarded
    def action_switch_side(self) -> None:
        if self.walk is not None:
            self._repaint(self.walk.switch_side())

    @guarded
    def action_expiry(self, delta: int) -> None:
        walk = self.walk
        if walk is None or not walk.change_expiry(delta):
            return
        self._repaint(set(walk.strikes))  # the old expiry's quotes are gone from every row
        self._describe()
        self.run_worker(self._show_expiry(), group="chain")

    @guarded
    def action_mark(self, action: str) -> None:
        if self.walk is not None:
            self._repaint(self.walk.mark(action))
            self._describe()

    @guarded
    def action_pick(self) -> None:
        walk = self.walk
        if walk is None:
            return
        if len(walk.legs) >= 2:
            self.post_message(self.LegsPicked(walk.legs))
            return
        if walk.selected is not None:
            self.dismiss(walk.selected)

    @guarded
    def action_back(self) -> None:
        self.dismiss(None)


def _day(expiry: str) -> date:
    return date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:]))


def _legs_text(legs: tuple[SpreadLeg, ...], shown: str) -> Text:
    """"Legs +1 192.5P -1 190P": a leg of another expiry names it (+1 Dec18 190C)."""
    text = Text("Legs", style="bold")
    for leg in legs:
        day = _day(leg.expiry)
        when = "" if leg.expiry == shown else f"{MONTHS[day.month - 1].capitalize()}{day.day} "
        sign = "+" if leg.action == "BUY" else "-"
        text.append(f" {sign}{leg.ratio} {when}{strike_text(leg.strike)}{leg.right}",
                    style="green3" if leg.action == "BUY" else "red1")
    return text
