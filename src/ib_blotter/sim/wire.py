"""TWS API framing: a 4-byte big-endian length, then NUL-terminated UTF-8 fields."""

from __future__ import annotations

import builtins
import math
import struct
from collections.abc import Callable, Iterable
from typing import TypeVar

from .model import UNSET_DOUBLE, UNSET_INT

T = TypeVar("T")

API_HELLO = b"API\0"
MAX_FRAME = 1 << 20  # TWS's own cap is 16 MB; no honest client message comes near 1 MB


class ProtocolError(Exception):
    """The peer sent something no TWS API client would send."""


def format_field(value: object) -> str:
    """One field as TWS writes it: booleans as 0/1, unset numbers as empty, inf as Infinite."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value == UNSET_DOUBLE:
            return ""
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"  # what float() reads back
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int) and value == UNSET_INT:
        return ""
    return str(value)


def frame(fields: Iterable[object]) -> bytes:
    """Encode one message: every field NUL-terminated, the whole length-prefixed."""
    body = "".join(format_field(f) + "\0" for f in fields).encode()
    return struct.pack(">I", len(body)) + body


class FrameReader:
    """Splits a byte stream into messages; each message is a list of string fields."""

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self._buffer = bytearray()
        self.max_frame = max_frame  # a longer frame is refused as soon as its length is read

    @property
    def partial(self) -> bool:
        """Bytes of a frame that has not arrived whole are waiting."""
        return bool(self._buffer)

    def feed(self, data: bytes) -> list[list[str]]:
        self._buffer += data
        messages: list[list[str]] = []
        while len(self._buffer) >= 4:
            (size,) = struct.unpack_from(">I", self._buffer)
            if size > self.max_frame:
                raise ProtocolError(f"frame of {size} bytes exceeds {self.max_frame}")
            if len(self._buffer) < 4 + size:
                break
            body = bytes(self._buffer[4 : 4 + size])
            del self._buffer[: 4 + size]
            try:
                text = body.decode()
            except UnicodeDecodeError as exc:
                raise ProtocolError("frame is not UTF-8") from exc
            fields = text.split("\0")
            if fields and fields[-1] == "":
                fields.pop()  # every field is terminated, so the split leaves one empty tail
            messages.append(fields)
        return messages


# Field readers: a client writes "unset" as "" (ib_async) or as the max value (ibapi).
# Text that is no number raises ValueError (and only ValueError: "1e999" as an int too).
def read_float(text: str) -> float | None:
    if text == "" or text == "None":
        return None
    if text == "Infinite":
        return math.inf
    value = float(text)
    if math.isinf(value):
        return value  # ibapi writes infinity as "Infinity", not ib_async's "Infinite"
    return None if value >= UNSET_DOUBLE else value


def read_int(text: str) -> int | None:
    if text == "" or text == "None":
        return None
    try:
        value = int(float(text)) if "." in text or "e" in text.lower() else int(text)
    except OverflowError as exc:  # int(float("1e999")): infinity is no int
        raise ValueError(f"not an integer: {text[:20]!r}") from exc
    return None if value >= UNSET_INT else value


def read_bool(text: str) -> bool:
    if text in ("", "0", "False", "false"):
        return False
    if text in ("1", "True", "true"):
        return True
    try:
        return bool(int(float(text)))
    except OverflowError as exc:
        raise ValueError(f"not a boolean: {text[:20]!r}") from exc


class FieldCursor:
    """Reads a message's fields in order, the way TWS parses a request. Every problem, a
    missing field or one that is not the number it should be, is a ProtocolError."""

    def __init__(self, fields: list[str], start: int = 0) -> None:
        self.fields = fields
        self.pos = start

    def str(self) -> str:
        if self.pos >= len(self.fields):
            raise ProtocolError(f"message ended at field {self.pos}: {self.fields[:3]}")
        value = self.fields[self.pos]
        self.pos += 1
        return value

    def float(self) -> float | None:
        return self._read(read_float)

    def int(self) -> int | None:
        return self._read(read_int)

    def int0(self) -> builtins.int:
        return self.int() or 0

    def bool(self) -> bool:
        return self._read(read_bool)

    def _read(self, reader: Callable[[builtins.str], T]) -> T:
        text = self.str()
        try:
            return reader(text)
        except ValueError as exc:
            raise ProtocolError(f"field {self.pos - 1}: {exc}") from exc

    def skip(self, count: builtins.int = 1) -> None:
        self.pos += count
        if self.pos > len(self.fields):
            raise ProtocolError(f"message ended at field {self.pos}: {self.fields[:3]}")

    def remaining(self) -> builtins.int:
        return len(self.fields) - self.pos
