"""`QuickEntryBar`: a one-line order command (`b 100 aapl 187.5 gtc`) with completion.

It parses with `state.quick_entry` and hands a Ticket to the app, which checks and confirms it
exactly like a ticket typed into the form.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Static

from ..state.ticket import Ticket
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
    """Hidden until opened; enter sends the line to the app, escape closes it."""

    BINDINGS = [Binding("escape", "close", "Close", show=False, priority=True)]

    class Entered(Message):
        def __init__(self, ticket: Ticket, text: str) -> None:
            super().__init__()
            self.ticket = ticket
            self.text = text

    def __init__(self, words: Callable[[], tuple[tuple[str, ...], tuple[str, ...]]],
                 **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._words = words

    def compose(self) -> ComposeResult:
        yield Static(": ", id="quick-prompt")
        yield Input(placeholder="b 100 aapl 187.5 gtc   (? in the help lists the words)",
                    suggester=QuickEntrySuggester(self._words), id="quick-input",
                    compact=True)
        yield Static("", id="quick-error")

    def open(self) -> None:
        self.display = True
        self.query_one("#quick-error", Static).update("")
        self.query_one(Input).focus()

    @guarded
    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())

    class Closed(Message):
        """The bar was closed without sending."""

    def show_error(self, text: str) -> None:
        self.query_one("#quick-error", Static).update(Text(text, style="bold red"))

    @on(Input.Submitted, "#quick-input")
    @guarded
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        from ..state.quick_entry import QuickEntryError, parse  # loaded when first used

        try:
            ticket = parse(text)
        except QuickEntryError as exc:
            self.show_error(str(exc))
            event.input.cursor_position = exc.position
            return
        self.query_one("#quick-error", Static).update("")
        self.display = False
        event.input.value = ""
        self.post_message(self.Entered(ticket, text))
