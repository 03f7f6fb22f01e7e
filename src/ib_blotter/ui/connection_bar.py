"""`ConnectionBar`: the top line: connection state, where, who, and SIMULATED when it is. At
80 columns what says whether we are live (and when the next try is) stays; where, who and the
server version go first."""

from __future__ import annotations

from rich.text import Text

from ..state.records import ConnectionInfo, ConnectionState, JournalLag
from .fitted_line import FittedLine, Item, fit_items

ON_DISK = JournalLag()  # nothing waiting
STATE_STYLES = {
    ConnectionState.CONNECTED: "bold green3",
    ConnectionState.CONNECTING: "bold yellow",
    ConnectionState.LINK_LOST: "bold red",
    ConnectionState.RECONNECTING: "bold yellow",
    ConnectionState.DISCONNECTED: "bold red",
}


def describe(info: ConnectionInfo, readonly: bool, lag: JournalLag = ON_DISK) -> Text:
    """The whole line, as a terminal wide enough would show it."""
    items = items_of(info, readonly, lag)
    return fit_items(items, sum(item.text.cell_len + len(item.gap) for item in items))


def items_of(info: ConnectionInfo, readonly: bool, lag: JournalLag = ON_DISK) -> list[Item]:
    items: list[Item] = []
    if info.simulated:
        items.append(Item.of(" SIMULATED ", 0, style="bold black on yellow", gap=" "))
    if readonly:
        items.append(Item.of(" READ-ONLY ", 0, style="bold black on cyan", gap=" "))
    items.append(Item.of(f"● {info.state.value}", 0, style=STATE_STYLES[info.state], gap=" "))
    if info.retry_in is not None and info.state == ConnectionState.RECONNECTING:
        items.append(Item.of(f"next try in {info.retry_in:.1f} s, r: now", 1, style="yellow"))
    if info.last_error and info.state != ConnectionState.CONNECTED:
        items.append(Item.of(info.last_error, 2, style="red"))
    if lag.writes or lag.dropped:
        items.append(Item.of(journal_lag_text(lag), 0, style="bold red"))
    if info.host:
        items.append(Item.of(f"{info.host}:{info.port}", 4))
    items.append(Item.of(f"client {info.client_id}", 5))
    if info.accounts:
        items.append(Item.of(",".join(info.accounts), 3, style="bold"))
    if info.server_version:
        items.append(Item.of(f"v{info.server_version}", 6, style="dim"))
    return items


def journal_lag_text(lag: JournalLag) -> str:
    """What the trader must know while fills are not on disk."""
    text = f"journal {lag.writes:,} behind"
    return f"{text}, {lag.dropped:,} lost" if lag.dropped else text


class ConnectionBar(FittedLine):
    """One line that always says whether we are live, and whether it is real money."""

    def __init__(self, readonly: bool = False, **kwargs: object) -> None:
        super().__init__((), **kwargs)
        self.readonly = readonly
        self.lag = ON_DISK
        self.info = ConnectionInfo()

    def describe(self, info: ConnectionInfo) -> None:
        self.info = info
        self.show(items_of(info, self.readonly, self.lag))
        self.set_class(info.state == ConnectionState.CONNECTED, "-connected")
        self.set_class(info.state != ConnectionState.CONNECTED, "-offline")

    def journal_behind(self, lag: JournalLag) -> None:
        self.lag = lag
        self.show(items_of(self.info, self.readonly, lag))
