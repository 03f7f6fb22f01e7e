"""Keys as a terminal delivers them: many in one read, with no pause between them."""

from __future__ import annotations

import unicodedata

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

# Names a test may use for keys that are not one printable character.
NAMED = {"Tab": "tab", "BTab": "shift+tab", "Enter": "enter", "Escape": "escape",
         "Space": "space", "BSpace": "backspace"}


def key_event(key: str) -> events.Key:
    """The Key event Textual's driver makes for `key` (a character or a key name)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:  # as Textual's own pilot makes them
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def split_keys(*parts: str) -> list[str]:
    """"100", "Tab", "Tab", "401" -> the keys one by one, as tmux send-keys takes them
    (a key name such as "Tab" or "ctrl+a" is one key; other words are typed)."""
    keys: list[str] = []
    for part in parts:
        named = part in NAMED or len(part) == 1 or ("+" in part and part.islower())
        keys.extend([NAMED.get(part, part)] if named else list(part))
    return keys


async def burst(pilot: Pilot, *parts: str) -> None:
    """Every key posted at once, as one read from the terminal brings them; then let the app
    take them all."""
    app = pilot.app
    for key in split_keys(*parts):
        app.post_message(key_event(key))
    await settle(pilot)


async def settle(pilot: Pilot, rounds: int = 6) -> None:
    for _ in range(rounds):
        await pilot.pause()
