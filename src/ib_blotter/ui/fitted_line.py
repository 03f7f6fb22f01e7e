"""`FittedLine`: one line of items (figures, badges, words) that fits its width by leaving out
whole items, the least important first; never a figure cut in half (`Day +0.00  Unrl`).

It renders at its current width, so a resize shows as much as the new width holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class Item:
    """A piece of a line: `rank` 0 stays longest; higher ranks go first (the later of equal
    ranks before the earlier). `gap` is what separates it from the item before."""

    text: Text
    rank: int = 0
    gap: str = "  "

    @classmethod
    def of(cls, text: str, rank: int = 0, style: str = "", gap: str = "  ") -> Item:
        return cls(Text(text, style=style), rank, gap)

    @classmethod
    def labelled(cls, label: str, value: str, rank: int, style: str = "") -> Item:
        """"NetLiq 1,002,742": a dim label and its figure, kept or left out together."""
        text = Text(f"{label} ", style="dim")
        text.append(value, style=style)
        return cls(text, rank)


def fit_items(items: Sequence[Item], width: int) -> Text:
    """The items in their order, as many as fit in `width` cells."""
    kept = list(items)
    while kept and _length(kept) > width:
        worst = max(range(len(kept)), key=lambda n: (kept[n].rank, n))
        if kept[worst].rank == 0 and len(kept) == 1:
            break  # the one thing the line must say: shown, cut at the edge
        del kept[worst]
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for n, item in enumerate(kept):
        if n:
            line.append(item.gap)
        line.append_text(item.text)
    return line


def _length(items: Sequence[Item]) -> int:
    return sum(item.text.cell_len for item in items) + sum(len(i.gap) for i in items[1:])


class FittedLine(Widget):
    """A one-line widget showing `items`, fitted to its width on every paint."""

    DEFAULT_CSS = "FittedLine { height: 1; }"

    def __init__(self, items: Sequence[Item] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: tuple[Item, ...] = tuple(items)

    @property
    def items(self) -> tuple[Item, ...]:
        return self._items

    def show(self, items: Sequence[Item]) -> None:
        items = tuple(items)
        if items != self._items:
            self._items = items
            self.refresh()

    def render(self) -> Text:
        return fit_items(self._items, self.content_size.width)

    @property
    def plain(self) -> str:
        """What the line shows now, as text (for tests)."""
        return fit_items(self._items, self.content_size.width).plain
