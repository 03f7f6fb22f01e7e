"""`QuickEntryBar`: a one-line order command (`b 100 aapl 187.5 gtc`) with completion.

It parses with `state.quick_entry` and hands a Ticket to the app, which checks and confirms it
exactly like a ticket typed into the form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Static

from ..state.spreads import SpreadTicket
from ..state.ticket import Ticket
from .fitted_line import FittedLine, Item
from .guard import guarded


class QuickEntrySuggester(Suggester):
    """Suggests the most likely completion of the word being typed (right arrow takes it)."""

    def __init__(self, words: Callable[[], tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.words = words  # () -> (symbols, accounts) known right now

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value.endswith(" "):
            return None
        from ..state.quick_entry import complete  # the parser loads when first used (start-up)

        symbols, accounts = self.words()
        candidates = complete(value, symbols=symbols, accounts=accounts)
        if not candidates:
            return None
        cut = max(value.rfind(" "), value.rfind("="))
        return value[: cut + 1] + candidates[0]


class QuickEntryBar(Widget):
    """Hidden until opened; enter hands the line on (it stays open, on the word to fix, until
    its order is sent), escape closes it. Text typed here never reaches a hotkey."""

    BINDINGS = [Binding("escape", "close", "Leave", priority=True,
                        tooltip="Close the line without sending (enter checks it and opens "
                                "the confirmation; the line stays until the order is sent)")]

    class Entered(Message):
        """An order, or a spread, as the line says it."""

        def __init__(self, ticket: Ticket | SpreadTicket, text: str) -> None:
            super().__init__()
            self.ticket = ticket
            self.text = text

    def __init__(self, words: Callable[[], tuple[tuple[str, ...], tuple[str, ...]]],
                 today: Callable[[], date] = date.today, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._words = words
        self._where: dict[str, int] = {}  # field -> offset of its word in the line entered
        self.today = today  # what a spread's dec18 counts from

    def compose(self) -> ComposeResult:
        yield Static(": ", id="quick-prompt")
        yield Input(placeholder="b 100 aapl 187.5 gtc   (? in the help lists the words)",
                    suggester=QuickEntrySuggester(self._words), id="quick-input",
                    compact=True)
        yield FittedLine(id="quick-error")

    def open(self) -> None:
        self.display = True
        self.query_one("#quick-error", FittedLine).show([])
        self.focus_line()

    def focus_line(self) -> None:
        self.query_one(Input).focus()

    def close(self) -> None:
        """The order is sent (or the trader left): the line empties and goes."""
        line = self.query_one(Input)
        line.value = ""
        self.query_one("#quick-error", FittedLine).show([])
        self.display = False

    @guarded
    def action_close(self) -> None:
        self.close()
        self.post_message(self.Closed())

    class Closed(Message):
        """The bar was closed without sending."""

    def show_error(self, text: str, position: int | None = None,
                   parts: tuple[tuple[str, int], ...] = ()) -> None:
        """Say what is wrong under the line (in `parts`, the least needed left out first when
        the line is short); the cursor goes to `position` (its word)."""
        pieces = parts or ((text, 0),)
        self.query_one("#quick-error", FittedLine).show(
            [Item(Text(piece, style="bold red"), rank, gap="") for piece, rank in pieces])
        line = self.query_one(Input)
        if position is not None:
            line.cursor_position = position
        self.display = True
        line.focus()

    def show_problem(self, field: str, text: str) -> None:
        """A problem found after the line was read (a check, the lookup): on its word."""
        self.show_error(text, self._where.get(field, self._where.get("symbol")))

    @on(Input.Submitted, "#quick-input")
    @guarded
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        from ..state.quick_entry import QuickEntryError, parse_entry  # loaded when first used

        try:
            ticket, self._where = parse_entry(text, self.today())
        except QuickEntryError as exc:
            self.show_error(str(exc), exc.position, exc.parts)
            return
        self.query_one("#quick-error", FittedLine).show([])
        self.post_message(self.Entered(ticket, text))
