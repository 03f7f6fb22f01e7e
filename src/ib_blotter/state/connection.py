"""`ConnectionMachine`: the connection to TWS / IB Gateway as states and named transitions.

    connecting --up--> connected --dropped--> disconnected --waiting--> reconnecting (a wait)
         |                 |  ^                     ^                        |
      failed          link_lost link_back           +--------failed----- attempt
         v                 v  |
    disconnected        IB link lost (TWS is up, its link to IB is not: orders stay at IB)

Each transition returns the ConnectionInfo the blotter shows; one that does not apply to the
current state (a late 1102 while disconnected, say) changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from .records import ConnectionInfo, ConnectionState

logger = logging.getLogger(__name__)

S = ConnectionState
ANY = frozenset(S)
UP = frozenset({S.CONNECTED, S.LINK_LOST})
ATTEMPTING = frozenset({S.CONNECTING, S.RECONNECTING})


class ConnectionMachine:
    def __init__(self, client_id: int, simulated: bool = False) -> None:
        self.info = ConnectionInfo(client_id=client_id, simulated=simulated)

    def simulated(self) -> ConnectionInfo:
        """The other end said it is ib-blotter-sim (from the handshake on)."""
        self.info = replace(self.info, simulated=True)
        return self.info

    @property
    def usable(self) -> bool:
        """Requests may go: connected, with TWS's link to IB up."""
        return self.info.state is S.CONNECTED

    def attempt(self, host: str, port: int, *, retry: bool) -> ConnectionInfo:
        why = self.info.last_error if retry else ""
        state = S.RECONNECTING if retry else S.CONNECTING
        return self._go(ANY, state, host=host, port=port, last_error=why, retry_in=None,
                        accounts=(), server_version=None)

    def up(self, accounts: tuple[str, ...], server_version: int | None) -> ConnectionInfo:
        return self._go(ATTEMPTING, S.CONNECTED, accounts=accounts,
                        server_version=server_version, last_error="", retry_in=None)

    def failed(self, why: str) -> ConnectionInfo:
        """An attempt did not get through; a retry keeps saying reconnecting."""
        state = S.RECONNECTING if self.info.state is S.RECONNECTING else S.DISCONNECTED
        return self._go(ATTEMPTING, state, last_error=why)

    def dropped(self, why: str) -> ConnectionInfo:
        return self._go(UP | ATTEMPTING, S.DISCONNECTED, last_error=why, retry_in=None)

    def waiting(self, seconds: float) -> ConnectionInfo:
        return self._go(frozenset({S.DISCONNECTED, S.RECONNECTING}), S.RECONNECTING,
                        retry_in=seconds)

    def link_lost(self, why: str) -> ConnectionInfo:
        return self._go(frozenset({S.CONNECTED}), S.LINK_LOST, last_error=why)

    def link_back(self) -> ConnectionInfo:
        return self._go(frozenset({S.LINK_LOST}), S.CONNECTED, last_error="")

    def closed(self) -> ConnectionInfo:
        """The trader quit: nothing more to say."""
        return self._go(ANY, S.DISCONNECTED, last_error="", retry_in=None)

    def _go(self, allowed: frozenset[ConnectionState], to: ConnectionState,
            **changes: object) -> ConnectionInfo:
        if self.info.state not in allowed:
            logger.debug("connection: %s ignored while %s", to, self.info.state)
            return self.info
        self.info = replace(self.info, state=to, **changes)  # type: ignore[arg-type]
        return self.info
