"""`ConfirmScreen`: a yes/no question that must be answered by key before anything is sent."""

from __future__ import annotations

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from .guard import guarded


class ConfirmScreen(ModalScreen[bool]):
    """y or enter says yes; n or escape says no. Nothing else closes it."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
    ]

    def __init__(self, title: str, body: RenderableType, yes: str = "y / enter: send",
                 danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-danger" if self.danger else ""):
            yield Static(self.title_text, id="dialog-title")
            yield Static(self.body, id="dialog-body")
            yield Static(f"{self.yes}    n / esc: back", id="dialog-keys")

    @guarded
    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
