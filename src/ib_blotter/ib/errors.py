"""The adapter's refusals: each message is a sentence for the trader."""

from __future__ import annotations


class AdapterError(Exception):
    """A request the adapter refused; the message is meant for the trader."""


class ReadOnlyError(AdapterError):
    pass


class NotOurOrderError(AdapterError):
    pass


class OrderEndedError(AdapterError):
    pass


class NotConnectedError(AdapterError):
    pass


class IBConnectError(AdapterError):
    pass
