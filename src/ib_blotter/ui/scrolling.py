"""Changing a ScrollView's scroll range without repainting all of it.

`virtual_size` is a layout reactive: setting it repaints the whole widget, every visible line
sent to the terminal again. When a table or log grows by a row and its scrollbar neither
appears nor goes, only the scroll range and the scrollbar change: set the size quietly and
update the scrollbar alone (Textual's own `_scroll_update`; textual is pinned exactly).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_virtual_size(view: ScrollView, size: Size) -> None:
    old = view.virtual_size
    if size == old:
        return
    height = view.scrollable_content_region.height
    if view.is_mounted and size.width == old.width and (size.height > height) == (
        old.height > height
    ):
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)
        return
    view.virtual_size = size
