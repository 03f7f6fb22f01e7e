"""The adapter's refusals: each message is a sentence for the trader."""

from __future__ import annotations


class AdapterError(Exception):
    """A request the adapter refused; the message is meant for the trader."""


class RefusedError(AdapterError):
    """The gate, asked once more before sending, said no."""


class NotConnectedError(AdapterError):
    pass


class IBConnectError(AdapterError):
    pass
