"""`ConnectionBar`: the top line: connection state, where, who, and SIMULATED when it is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..state.records import ConnectionInfo, ConnectionState

STATE_STYLES = {
    ConnectionState.CONNECTED: "bold green3",
    ConnectionState.CONNECTING: "bold yellow",
    ConnectionState.LINK_LOST: "bold red",
    ConnectionState.RECONNECTING: "bold yellow",
    ConnectionState.DISCONNECTED: "bold red",
}


def describe(info: ConnectionInfo, readonly: bool) -> Text:
    text = Text()
    if info.simulated:
        text.append(" SIMULATED ", style="bold black on yellow")
        text.append(" ")
    if readonly:
        text.append(" READ-ONLY ", style="bold black on cyan")
        text.append(" ")
    text.append(f"● {info.state.value}", style=STATE_STYLES[info.state])
    if info.host:
        text.append(f"  {info.host}:{info.port}")
    text.append(f"  client {info.client_id}")
    if info.accounts:
        text.append(f"  {','.join(info.accounts)}", style="bold")
    if info.server_version:
        text.append(f"  v{info.server_version}", style="dim")
    if info.last_error and info.state != ConnectionState.CONNECTED:
        text.append(f"  {info.last_error}", style="red")
    if info.retry_in is not None and info.state == ConnectionState.RECONNECTING:
        text.append(f"  next try in {info.retry_in:.1f} s, r: now", style="yellow")
    return text


class ConnectionBar(Static):
    """One line that always says whether we are live, and whether it is real money."""

    def __init__(self, readonly: bool = False, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.readonly = readonly

    def show(self, info: ConnectionInfo) -> None:
        self.update(describe(info, self.readonly))
        self.set_class(info.state == ConnectionState.CONNECTED, "-connected")
        self.set_class(info.state != ConnectionState.CONNECTED, "-offline")
