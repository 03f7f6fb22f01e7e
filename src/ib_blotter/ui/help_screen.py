"""`HelpScreen`: every key the blotter answers to, made from the bindings themselves (so it
cannot drift from them), then quick entry's whole grammar; each part wraps under its own
column, and the first line says how to close it."""

from __future__ import annotations

import re

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..state.quick_entry import GRAMMAR
from .blotter_screen import BlotterScreen
from .chain_screen import ChainScreen
from .execution_log import ExecutionLog
from .live_table import LiveTable
from .modify_screen import ModifyOrderScreen
from .order_confirm_screen import OrderConfirmScreen
from .order_ticket import OrderTicket, SideToggle
from .orders_table import OpenOrdersTable
from .quick_entry_bar import QuickEntryBar

# Keys Textual gives every app, not declared by our widgets.
BUILT_IN = (("tab / shift+tab", "Move between the ticket's fields, the orders and the log"),)
TICKET_KEYS = (("enter", "In the ticket: check the order and open its confirmation"),)
MODIFY_KEYS = (("enter", "Check the change and open its confirmation"),)
CLOSE = "esc, q or ? closes; pgdn, pgup, home, end scroll"
KEY_COLUMN = 16


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """(where, [(keys, what they do)]) from each owner's BINDINGS."""
    from .app import BlotterApp  # the app imports this screen's module when help opens

    return [
        ("Anywhere", [*_keys(BlotterScreen.BINDINGS), *_keys(BlotterApp.BINDINGS), *BUILT_IN]),
        ("Working orders (when the table has focus)",
         [*_keys(OpenOrdersTable.BINDINGS), *_keys(LiveTable.BINDINGS)]),
        ("Execution log (when it has focus)", _keys(ExecutionLog.BINDINGS)),
        ("Order ticket", [*TICKET_KEYS, *_keys(SideToggle.BINDINGS),
                          *_keys(OrderTicket.BINDINGS)]),
        ("Quick entry line", _keys(QuickEntryBar.BINDINGS)),
        ("Confirmations", _keys(OrderConfirmScreen.BINDINGS)),
        ("Modify dialog", [*MODIFY_KEYS, *_keys(ModifyOrderScreen.BINDINGS)]),
        ("Option chain (h)", _keys(ChainScreen.BINDINGS)),
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
             "equals_sign": "=", "pageup": "pgup", "pagedown": "pgdn", "escape": "esc",
             "left_square_bracket": "[", "right_square_bracket": "]"}
    return ", ".join(names.get(key, key) for key in keys.split(","))


def grammar_parts(grammar: str) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]],
                                         str]:
    """The grammar's intro, its examples (line, meaning), its words (what, the words; a
    continuation has no what) and its closing notes, from the text quick entry documents."""
    intro, *lines = grammar.splitlines()
    examples: list[tuple[str, str]] = []
    words: list[tuple[str, str]] = []
    notes: list[str] = []
    for line in lines:
        if (example := re.fullmatch(r"  (\S.*?)\s{2,}(\S.*)", line)) and not words:
            examples.append((example[1], example[2]))
        elif (word := re.fullmatch(r"(\S+)\s{2,}(\S.*)", line)) and not notes:
            words.append((word[1], word[2]))
        elif (more := re.fullmatch(r"\s{3,}(\S.*)", line)) and words and not notes:
            words.append(("", more[1]))
        else:
            notes.append(line)
    return intro, examples, words, " ".join(notes)


def _grid(rows: list[tuple[str, str]], style: str) -> Table:
    """Two columns; a long second part wraps under itself, never back to the margin."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style=style, no_wrap=True)
    table.add_column(overflow="fold")
    for first, second in rows:
        table.add_row(Text(first), Text(second))  # text, not markup: "[cap]" must show
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", priority=True,
                        tooltip="Close this help")]

    def compose(self) -> ComposeResult:
        intro, examples, words, notes = grammar_parts(GRAMMAR)
        with VerticalScroll(id="dialog"):
            yield Static(Text.assemble(("Keys", "bold"), "   ", (CLOSE, "dim")),
                         id="dialog-title")
            for where, keys in sections():
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold cyan", no_wrap=True, width=KEY_COLUMN)
                table.add_column(overflow="fold")
                for key, meaning in keys:
                    table.add_row(Text(key), Text(meaning))
                yield Static(Text(where, style="bold underline"), classes="help-section")
                yield Static(table, classes="help-keys")
            yield Static(Text(intro, style="bold underline"), classes="help-section")
            yield Static(Group(_grid(examples, "bold"), Text(""), _grid(words, "bold cyan")),
                         id="help-grammar")
            yield Static(Text(notes), id="dialog-grammar")
            yield Static(CLOSE, id="dialog-keys")
