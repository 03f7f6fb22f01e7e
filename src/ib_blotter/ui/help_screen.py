"""`HelpScreen`: every key the blotter answers to, made from the bindings themselves (so it
cannot drift from them), then quick entry's whole grammar."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..state.quick_entry import GRAMMAR
from .blotter_screen import BlotterScreen
from .live_table import LiveTable
from .order_confirm_screen import OrderConfirmScreen
from .order_ticket import OrderTicket, SideToggle
from .orders_table import OpenOrdersTable
from .quick_entry_bar import QuickEntryBar

# Keys Textual gives every app, not declared by our widgets.
BUILT_IN = (("tab / shift+tab", "Move between the ticket's fields, the orders and the log"),)
TICKET_KEYS = (("enter", "In the ticket: check the order and open its confirmation"),)


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """(where, [(keys, what they do)]) from each owner's BINDINGS."""
    from .app import BlotterApp  # the app imports this screen's module when help opens

    return [
        ("Anywhere", [*_keys(BlotterScreen.BINDINGS), *_keys(BlotterApp.BINDINGS), *BUILT_IN]),
        ("Working orders (when the table has focus)",
         [*_keys(OpenOrdersTable.BINDINGS), *_keys(LiveTable.BINDINGS)]),
        ("Order ticket", [*TICKET_KEYS, *_keys(SideToggle.BINDINGS),
                          *_keys(OrderTicket.BINDINGS)]),
        ("Quick entry line", _keys(QuickEntryBar.BINDINGS)),
        ("Confirmations", _keys(OrderConfirmScreen.BINDINGS)),
        ("This help", _keys(HelpScreen.BINDINGS)),
    ]


def _keys(bindings: list[BindingType]) -> list[tuple[str, str]]:
    """One row per action: its keys as a trader types them, and its longest description."""
    rows: dict[tuple[str, str], list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not (binding.tooltip or binding.description):
            continue
        text = binding.tooltip or binding.description
        rows.setdefault((binding.action, text), []).append(_display(binding.key))
    return [(" / ".join(keys), text) for (_action, text), keys in rows.items()]


def _display(keys: str) -> str:
    names = {"question_mark": "?", "colon": ":", "slash": "/", "plus": "+", "minus": "-",
             "equals_sign": "=", "pageup": "pgup", "pagedown": "pgdn", "escape": "esc"}
    return ", ".join(names.get(key, key) for key in keys.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", priority=True,
                        tooltip="Close this help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Keys", id="dialog-title")
            for where, keys in sections():
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold cyan", no_wrap=True, width=16)
                table.add_column(overflow="fold")
                for key, meaning in keys:
                    table.add_row(key, meaning)
                yield Static(Text(where, style="bold underline"), classes="help-section")
                yield Static(table, classes="help-keys")
            yield Static(GRAMMAR, id="dialog-grammar")
            yield Static("esc, q or ? closes this help", id="dialog-keys")
