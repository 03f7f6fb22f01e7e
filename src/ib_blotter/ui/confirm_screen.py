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
    """y says yes; n or escape says no. Enter says nothing: a double enter must not answer."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
        Binding("enter", "nothing", show=False, priority=True, tooltip=""),
    ]

    def __init__(self, title: str, body: RenderableType, yes: str = "y: yes",
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

    @guarded
    def action_nothing(self) -> None:
        self.notify("Press y for yes, n for no", severity="information")
