"""`BlotterFooter`: the keys of what has focus, made from their bindings, as many as the width
holds: the ones a trader needs most first, `?` (help, which lists them all) always; READ-ONLY
first when nothing can be sent (the sending keys are then hidden by their widgets)."""

from __future__ import annotations

from rich.text import Text
from textual.keys import format_key

from .fitted_line import FittedLine, Item

# How much each key is needed at a glance, by action (0 is kept longest); others come last.
RANKS = {
    "help": 0, "leave": 1, "close": 1, "reconnect": 1, "modify": 1, "cancel": 1,
    "new_order": 2, "quick_entry": 2,
    "nudge": 3, "toggle_positions": 4, "toggle_all": 5, "next_account": 6, "cancel_all": 7,
    "quit": 8, "focus_orders": 9, "focus_log": 9,
    "back": 1, "pick": 1, "expiry": 2, "switch_side": 3, "mark": 4,  # the option chain's
}
LAST = 10


def _base(action: str) -> str:
    return action.partition("(")[0]


class BlotterFooter(FittedLine):
    DEFAULT_CSS = """
    BlotterFooter { dock: bottom; height: 1; background: $footer-background; }
    BlotterFooter > .blotter-footer--key { color: $footer-key-foreground; text-style: bold; }
    BlotterFooter > .blotter-footer--description { color: $footer-description-foreground; }
    BlotterFooter > .blotter-footer--readonly { background: $accent; text-style: bold; }
    """
    COMPONENT_CLASSES = {"blotter-footer--key", "blotter-footer--description",
                         "blotter-footer--readonly"}

    def __init__(self, *, readonly: bool = False, **kwargs: object) -> None:
        super().__init__((), **kwargs)
        self.readonly = readonly

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.show(self._items_now())

    def _items_now(self) -> list[Item]:
        """One item per action shown (a group's keys together: +/- Tick), best ranked first."""
        shown: dict[str, tuple[int, list[str], str, bool]] = {}  # name -> rank, keys, label
        focused = self.screen.focused
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            typed = format_key(key) if len(format_key(key)) == 1 else None
            if not binding.show or (focused is not None and focused.check_consume_key(key, typed)):
                continue  # a key a text field takes as text is no key there
            action = _base(binding.action)
            name = binding.group.description if binding.group else action
            label = binding.group.description if binding.group else binding.description
            displays = shown.setdefault(
                name, (RANKS.get(action, LAST), [], label, active.enabled))[1]
            display = self.app.get_key_display(binding)
            if display not in displays and (binding.group or not displays):
                displays.append(display)  # one key an action (? for help), a group's all
        key_style = self.get_component_rich_style("blotter-footer--key")
        text_style = self.get_component_rich_style("blotter-footer--description")
        items = [Item(Text.assemble((" " + "/".join(displays), key_style), " ",
                                    (label, text_style), style="" if enabled else "dim"),
                      rank, gap=" ")
                 for rank, displays, label, enabled in shown.values()]
        items.sort(key=lambda item: item.rank)  # stable: equal ranks keep the bindings' order
        if self.readonly:
            badge = Text(" READ-ONLY ", style=self.get_component_rich_style(
                "blotter-footer--readonly"))
            items.insert(0, Item(badge, 0, gap=""))
        return items
