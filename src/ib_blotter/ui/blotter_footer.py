"""`BlotterFooter`: the keys of what has focus, made from their bindings, and READ-ONLY first
when nothing can be sent (the sending keys are then hidden by their widgets)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterLabel


class BlotterFooter(Footer):
    def __init__(self, *, readonly: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.readonly = readonly

    def compose(self) -> ComposeResult:
        if self.readonly:
            yield FooterLabel(" READ-ONLY ", id="footer-readonly")
        yield from super().compose()
