"""`OrderTicket`: the order entry form. It only collects text; the app checks and sends."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import DescendantBlur
from textual.message import Message
from textual.reactive import reactive
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Sparkline, Static

from ..state.order_types import ORDER_TYPES, PRICE_FIELDS, price_fields
from ..state.prices import format_price, format_size, format_step
from ..state.records import ContractSpec, Quote
from ..state.ticket import TIFS, Ticket, validate
from .fitted_line import FittedLine, Item
from .guard import guarded

LABELS = {
    "symbol": "Symbol", "side": "Side", "quantity": "Qty", "order_type": "Type",
    "limit": "Limit", "stop": "Stop", "trail_amount": "Trail", "trail_percent": "Trail%",
    "tif": "TIF", "gtd": "Good till", "account": "", "outside_rth": "RTH+",
    "take_profit": "TP", "stop_loss": "SL", "oca_group": "OCA", "algo": "Algo",
    "algo_until": "Until",
}
# Fields a new ticket (LMT, DAY, no algo) hides: their label and input are mounted when first
# shown or filled, not before the first frame (start-up time, ~12 ms for the five).
LATE_FIELDS = ("stop", "trail_amount", "trail_percent", "gtd", "algo_until")
PLACEHOLDERS = {"gtd": "2026-12-31 16:00", "algo_until": "15:30"}
MARKS_KEPT = 240  # the quote's last moves the ticket's sparkline draws
# Algo choices as one list: IB's strategy and, for Adaptive, its priority.
ALGO_CHOICES = (
    ("none", ""), ("Adaptive urgent", "Adaptive:Urgent"), ("Adaptive normal", "Adaptive:Normal"),
    ("Adaptive patient", "Adaptive:Patient"), ("TWAP", "Twap"), ("VWAP", "Vwap"),
)


class SideToggle(Static, can_focus=True):
    """BUY or SELL: b, s, space or arrows flip it; enter sends the ticket."""

    BINDINGS = [
        Binding("b", "set('BUY')", "Buy", show=False, tooltip="On the side field: BUY"),
        Binding("s", "set('SELL')", "Sell", show=False, tooltip="On the side field: SELL"),
        Binding("space,left,right", "flip", "Flip side", show=False,
                tooltip="On the side field: the other side"),
    ]
    side: reactive[str] = reactive("BUY")
    """The side the ticket will send."""

    class Submitted(Message):
        """Enter was pressed on the side field."""

    def render(self) -> Text:
        return Text(f" {self.side:<4} ", style="bold")

    @guarded
    def watch_side(self, side: str) -> None:
        self.set_class(side == "BUY", "-buy")
        self.set_class(side == "SELL", "-sell")

    @guarded
    def action_set(self, side: str) -> None:
        self.side = side

    @guarded
    def action_flip(self) -> None:
        self.side = "SELL" if self.side == "BUY" else "BUY"

    def key_enter(self) -> None:
        self.post_message(self.Submitted())


class SymbolSuggester(Suggester):
    """The first known symbol that starts with what is typed (right arrow takes it)."""

    def __init__(self, symbols: Callable[[], tuple[str, ...]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.symbols = symbols

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.strip().upper()
        return next((s for s in self.symbols() if typed and s.startswith(typed)), None)


class OrderTicket(Widget):
    """Symbol, side, quantity, type, prices, TIF, account and outside-RTH, on two lines."""

    BORDER_TITLE = "Order ticket"

    class SymbolEntered(Message):
        """The trader typed a symbol; the app resolves it and calls `show_contract`."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Submitted(Message):
        """Enter pressed: the app validates this ticket and asks for confirmation."""

        def __init__(self, ticket: Ticket) -> None:
            super().__init__()
            self.ticket = ticket

    def __init__(self, accounts: tuple[str, ...] = (), *, readonly: bool = False,
                 symbols: Callable[[], tuple[str, ...]] = tuple, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.accounts = accounts
        self.readonly = readonly
        self._symbols = symbols  # () -> the symbols to complete
        self.spec: ContractSpec | None = None
        self._resolved_text = ""
        self._description = ""
        self._quote: Quote | None = None
        self._position: float | None = None
        self._failed = False  # the last lookup found nothing
        self._marks: deque[float] = deque(maxlen=MARKS_KEPT)  # the quote's moves since lookup
        self._errors: dict[str, str] = {}
        self.base_currency = "USD"  # the account's: a contract in another one says its own

    def compose(self) -> ComposeResult:
        with Horizontal(id="ticket-fields"):
            yield self._field("symbol", Input(id="symbol", compact=True,
                                              suggester=SymbolSuggester(self._symbols)))
            yield self._field("side", SideToggle(id="side"))
            yield self._field("quantity", Input(id="quantity", compact=True))
            yield self._field("order_type", Select(
                [(t, t) for t in ORDER_TYPES], value="LMT", allow_blank=False, id="order_type",
                compact=True))
            yield self._field("limit", Input(id="limit", compact=True))
            for name in ("stop", "trail_amount", "trail_percent"):
                yield Vertical(id=f"field-{name}", classes="field")  # see LATE_FIELDS
            yield self._field("tif", Select([(t, t) for t in TIFS], value="DAY",
                                            allow_blank=False, id="tif", compact=True))
            yield Vertical(id="field-gtd", classes="field")
            yield Vertical(id="field-algo_until", classes="field")
        with Horizontal(id="ticket-extras"):
            # Hidden until IB names two accounts; its list is mounted with the first names.
            yield Horizontal(id="field-account", classes="field inline")
            yield self._inline("outside_rth", Checkbox("", id="outside_rth", compact=True))
            yield self._inline("take_profit", Input(id="take_profit", compact=True))
            yield self._inline("stop_loss", Input(id="stop_loss", compact=True))
            yield self._inline("oca_group", Input(id="oca_group", compact=True))
            yield self._inline("algo", Select(ALGO_CHOICES, value="", allow_blank=False,
                                              id="algo", compact=True))
        with Horizontal(id="ticket-info-row"):
            yield FittedLine([Item.of("Type a symbol and press enter.", 0, style="bold")],
                             id="ticket-info")
            yield Sparkline([], id="ticket-spark")  # the quote since the lookup, wide screens

    @staticmethod
    def _inline(name: str, widget: Widget) -> Horizontal:
        label = [Label(LABELS[name], classes="field-label")] if LABELS[name] else []
        return Horizontal(*label, widget, id=f"field-{name}", classes="field inline")

    @staticmethod
    def _field(name: str, widget: Widget) -> Vertical:
        return Vertical(Label(LABELS[name], classes="field-label"), widget,
                        id=f"field-{name}", classes="field")

    @guarded
    def on_mount(self) -> None:
        if self.readonly:  # said before anything is typed: nothing typed here can be sent
            self.border_title = "Order ticket · READ-ONLY: look up and quote, nothing is sent"
        self._show_fields_for("LMT", "DAY")
        if self.accounts:
            self.set_accounts(self.accounts)
        else:
            self.query_one("#field-account").display = False

    def load(self, ticket: Ticket) -> None:
        """Show a ticket made elsewhere (quick entry) in the form's fields."""
        for name in ("symbol", "quantity", *PRICE_FIELDS, "gtd", "take_profit", "stop_loss",
                     "oca_group"):
            self._set_text(name, getattr(ticket, name))
        self.query_one(SideToggle).side = ticket.side
        self.query_one("#order_type", Select).value = ticket.order_type
        self.query_one("#tif", Select).value = ticket.tif
        select = self._account_select()
        if select is not None and ticket.account in self.accounts:
            select.value = ticket.account
        self.query_one("#outside_rth", Checkbox).value = ticket.outside_rth
        params = dict(ticket.algo_params)
        choice = ticket.algo
        if ticket.algo == "Adaptive":
            choice = f"Adaptive:{params.get('adaptivePriority', 'Normal')}"
        self.query_one("#algo", Select).value = choice
        self._set_text("algo_until", params.get("endTime", ""))
        self._show_fields_for(ticket.order_type, ticket.tif)

    def focus_field(self, name: str) -> None:
        """Focus a field to fix (or the symbol when the problem names none), cursor at its end."""
        try:
            field = self.query_one(f"#{name}") if self._mounted(name) else None
        except NoMatches:
            field = None
        field = field if field is not None and field.focusable else self.query_one("#symbol")
        field.focus()
        if isinstance(field, Input):
            field.cursor_position = len(field.value)

    def look_up(self, symbol: str) -> None:
        self.query_one("#symbol", Input).value = symbol
        self._symbol_entered()

    @property
    def resolved_text(self) -> str:
        """The symbol text that the current contract (if any) was looked up for."""
        return self._resolved_text

    def set_accounts(self, accounts: tuple[str, ...], preferred: str = "") -> None:
        self.accounts = accounts
        options = [(a, a) for a in accounts]
        value = preferred if preferred in accounts else accounts[0]
        field = self.query_one("#field-account")
        select = self._account_select()
        if select is None:  # a Select costs ~6 ms at start-up, before any account is known
            field.mount(Select(options, value=value, allow_blank=False, id="account",
                               compact=True))
        else:
            select.set_options(options)
            select.value = value
        field.display = len(accounts) > 1

    def _account_select(self) -> Select[str] | None:
        try:
            return self.query_one("#account", Select)
        except NoMatches:
            return None

    # ---- the fields' inputs ---------------------------------------------------------------
    def _mounted(self, name: str) -> bool:
        return name not in LATE_FIELDS or bool(self.query_one(f"#field-{name}").children)

    def _input(self, name: str) -> Input:
        """A field's input; a late field gets its label and input on first use."""
        if self._mounted(name):
            return self.query_one(f"#{name}", Input)
        widget = Input(placeholder=PLACEHOLDERS.get(name, ""), id=name, compact=True)
        self.query_one(f"#field-{name}").mount(Label(LABELS[name], classes="field-label"), widget)
        return widget

    def _set_text(self, name: str, value: str) -> None:
        if value or self._mounted(name):  # an empty late field can stay unmounted
            self._input(name).value = value

    def _show_field(self, name: str, shown: bool) -> None:
        if shown:
            self._input(name)
        self.query_one(f"#field-{name}").display = shown

    # ---- reading what was typed ----------------------------------------------------------
    def ticket(self) -> Ticket:
        def text(name: str) -> str:
            return self.query_one(f"#{name}", Input).value.strip() if self._mounted(name) else ""

        return Ticket(
            symbol=text("symbol").upper(), side=self.query_one(SideToggle).side,
            quantity=text("quantity"), order_type=str(self.query_one("#order_type", Select).value),
            limit=text("limit"), stop=text("stop"), trail_amount=text("trail_amount"),
            trail_percent=text("trail_percent"), tif=str(self.query_one("#tif", Select).value),
            gtd=text("gtd"), account=self._account(),
            outside_rth=self.query_one("#outside_rth", Checkbox).value,
            take_profit=text("take_profit"), stop_loss=text("stop_loss"),
            oca_group=text("oca_group"), **self._algo(text("algo_until")),
        )

    def _algo(self, until: str) -> dict[str, Any]:
        choice = str(self.query_one("#algo", Select).value or "")
        strategy, _, priority = choice.partition(":")
        params: list[tuple[str, str]] = []
        if priority:
            params.append(("adaptivePriority", priority))
        if strategy in ("Twap", "Vwap") and until:
            params.append(("endTime", until))
        return {"algo": strategy, "algo_params": tuple(params)}

    def _account(self) -> str:
        select = self._account_select()
        value = select.value if select is not None else ""
        return str(value) if value and value != Select.BLANK else ""

    # ---- events --------------------------------------------------------------------------
    @on(Select.Changed, "#order_type")
    @on(Select.Changed, "#tif")
    @on(Select.Changed, "#algo")
    @guarded
    def _type_changed(self) -> None:
        order_type = str(self.query_one("#order_type", Select).value)
        self._show_fields_for(order_type, str(self.query_one("#tif", Select).value))

    def _show_fields_for(self, order_type: str, tif: str) -> None:
        shown = price_fields(order_type)
        for name in PRICE_FIELDS:
            self._show_field(name, name in shown)
        self._show_field("gtd", tif == "GTD")
        algo = str(self.query_one("#algo", Select).value or "")
        self._show_field("algo_until", algo in ("Twap", "Vwap"))

    @on(Input.Submitted)
    @on(SideToggle.Submitted)
    @guarded
    def _submitted(self, event: Message) -> None:
        event.stop()
        if isinstance(event, Input.Submitted) and event.input.id == "symbol":
            self._symbol_entered()
            self.query_one("#quantity", Input).focus()
            return
        self.post_message(self.Submitted(self.ticket()))

    @guarded
    def on_descendant_blur(self, event: DescendantBlur) -> None:
        if getattr(event.widget, "id", None) == "symbol":
            self._symbol_entered()

    def _symbol_entered(self) -> None:
        text = self._typed_symbol()
        if text and (text != self._resolved_text or self._failed):
            self._resolved_text = text
            self.spec = None
            self._quote = None
            self._position = None
            self._failed = False
            self._description = f"Looking up {text}..."
            self._refresh_info()
            self.post_message(self.SymbolEntered(text))

    def _typed_symbol(self) -> str:
        return self.query_one("#symbol", Input).value.strip().upper()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @guarded
    def _field_changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        name = event.control.id or ""
        if name == "symbol":
            self._refresh_info()  # a symbol typed, not yet looked up, replaces the old line
        if self._errors:
            self._recheck(name)

    def _recheck(self, changed: str) -> None:
        """A message goes once the field it names is fixed: the checks are run again; one
        about the symbol goes when the symbol changes (it was about the old one)."""
        fresh = validate(self.ticket(), self.spec or ContractSpec(min_tick=0),
                         accounts=self.accounts)
        kept: dict[str, str] = {}
        for name, text in self._errors.items():
            if name in ("symbol", ""):
                if not (name == "symbol" and changed == "symbol"):
                    kept[name] = text
            elif name in fresh:
                kept[name] = fresh[name]
        if kept != self._errors:
            self.show_errors(kept)

    # ---- what the app tells us -----------------------------------------------------------
    def show_contract(self, spec: ContractSpec | None, description: str,
                      text: str | None = None) -> None:
        """The symbol resolved (spec) or not (None, with the reason); `text`: what was typed."""
        if text is not None:
            self._resolved_text = text
            self.query_one("#symbol", Input).value = text
        self.spec = spec
        self._failed = spec is None  # enter on the same symbol asks again
        self._description = description
        self._marks.clear()
        self._show_marks()
        if spec is not None and spec.order_types:
            self._offer_types(spec)
        if "symbol" in self._errors:  # "still looking up" is answered now
            self.show_errors({k: v for k, v in self._errors.items() if k != "symbol"})
        self._refresh_info()

    def _offer_types(self, spec: ContractSpec) -> None:
        select = self.query_one("#order_type", Select)
        current = select.value
        offered = [t for t in ORDER_TYPES if t in spec.order_types]
        select.set_options([(t, t) for t in offered])
        select.value = current if current in offered else offered[0]
        if spec.tifs:
            tif = self.query_one("#tif", Select)
            chosen = tif.value
            tifs = [t for t in TIFS if t in spec.tifs]
            tif.set_options([(t, t) for t in tifs])
            tif.value = chosen if chosen in tifs else tifs[0]

    def show_position(self, position: float) -> None:
        self._position = position
        self._refresh_info()

    def show_quote(self, quote: Quote) -> None:
        self._quote = quote
        if quote.mark is not None and (not self._marks or self._marks[-1] != quote.mark):
            self._marks.append(quote.mark)  # a move, not every tick: more history in the line
            self._show_marks()
        self._refresh_info()

    def _show_marks(self) -> None:
        line = self.query_one("#ticket-spark", Sparkline)
        line.data = list(self._marks)
        line.set_class(len(self._marks) > 1, "-moved")  # one price is no line yet

    def show_errors(self, errors: dict[str, str]) -> None:
        """Mark each bad field and say what is wrong; an empty dict clears them."""
        self._errors = errors
        for field in self.query(".field"):
            name = (field.id or "").removeprefix("field-")
            field.set_class(name in errors, "-invalid")
        self._refresh_info()

    def clear_prices(self) -> None:
        """After a send: keep symbol, side and type; the next order needs its own numbers."""
        for name in ("quantity", *PRICE_FIELDS, "take_profit", "stop_loss"):
            self._set_text(name, "")

    def clear_order(self) -> None:
        """Left without sending: the numbers and the messages about them go."""
        self.clear_prices()
        self._set_text("oca_group", "")
        if self._errors:
            self.show_errors({})

    def choose_account(self, account: str) -> None:
        select = self._account_select()
        if select is not None and account in self.accounts:
            select.value = account

    def _refresh_info(self) -> None:
        info = self.query_one("#ticket-info", FittedLine)
        if self._errors:
            info.show([Item.of(text, n, style="bold red", gap=" · ")
                       for n, text in enumerate(self._errors.values())])
            return
        typed = self._typed_symbol()
        if typed and typed != self._resolved_text:
            info.show([Item.of(f"{typed}: enter looks it up", 0, style="bold")])
            return
        info.show([*self._contract_items(), *self._quote_items()])

    def _contract_items(self) -> list[Item]:
        """What the ticket trades: its symbol stays; name, exchange and notes go first."""
        spec = self.spec
        if spec is None:
            return [Item.of(self._description, 0, style="bold")]
        first, *rest = self._description.split(" · ")
        # the symbol whole ("AAPL 18Dec26 190C"), the name after it on the same part
        symbol, name = (spec.symbol, first[len(spec.symbol):].strip()) if first.startswith(
            spec.symbol) else (first, "")
        items = [Item.of(symbol, 0, style="bold")]
        if spec.currency and spec.currency != self.base_currency:  # its prices are in it
            items.append(Item.of(spec.currency, 1, style="bold yellow", gap=" "))
        items.append(Item.of(name, 4, style="bold", gap=" "))
        items += [Item.of(part, 6 if n == 0 else 7, style="bold", gap=" · ")
                  for n, part in enumerate(rest)]
        mark = self._quote.mark if self._quote is not None else None
        tick = spec.grid.at(mark) if mark is not None else spec.min_tick  # where it trades
        items.append(Item.labelled("tick", format_step(tick), 5, style="dim"))
        return [item for item in items if item.text.plain]

    def _quote_items(self) -> list[Item]:
        quote, tick = self._quote, self.spec.grid if self.spec else None
        items: list[Item] = []
        if quote is not None:
            for name, value, style, rank in (("bid", quote.bid, "green3", 1),
                                             ("ask", quote.ask, "red1", 1),
                                             ("last", quote.last, "bold", 2)):
                shown = format_price(value, tick) if value is not None else "-"
                items.append(Item.labelled(name, shown, rank, style=style))
        if self._position is not None and self.spec is not None:
            items.append(Item.labelled("pos", format_size(self._position), 3, style="bold"))
        return items
