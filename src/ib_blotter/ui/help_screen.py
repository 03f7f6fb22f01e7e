"""`HelpScreen`: every key the blotter answers to, generated from the bindings themselves."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..state.quick_entry import GRAMMAR

# (keys, what they do): the single list shown here and in the README.
KEYS: tuple[tuple[str, str], ...] = (
    ("n", "New order: focus the order ticket"),
    (": or /", "Quick entry: one line, e.g. b 100 aapl 187.5 gtc (right arrow completes)"),
    ("enter", "In the ticket: check the order and open the confirmation"),
    ("escape", "Leave the ticket (or a dialog) without sending"),
    ("m", "Modify the selected order (price, quantity, TIF)"),
    ("c", "Cancel the selected order (asks first)"),
    ("C", "Cancel ALL orders: global cancel (asks twice)"),
    ("+ / =", "Raise the selected order's limit price by one tick"),
    ("-", "Lower the selected order's limit price by one tick"),
    ("a", "Show all orders, or only working ones"),
    ("p", "Show positions instead of the log (both show on wide screens)"),
    ("f", "Filter orders, positions and the account line by account (cycles)"),
    ("up/down, j/k", "Move the selection in the orders table"),
    ("tab / shift+tab", "Move between ticket, orders and log"),
    ("o / l", "Jump to the orders table / the execution log"),
    ("r", "Reconnect now, while the connection is down"),
    ("?", "This help"),
    ("ctrl+q", "Quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", priority=True)]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, meaning in KEYS:
            table.add_row(keys, meaning)
        with VerticalScroll(id="dialog"):
            yield Static("Keys", id="dialog-title")
            yield Static(table, id="dialog-body")
            yield Static(GRAMMAR, id="dialog-grammar")
            yield Static("esc / ? : close", id="dialog-keys")
