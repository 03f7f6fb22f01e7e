"""On start the execution log shows today's fills from the journal, before IB answers."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ib_blotter.config import Settings
from ib_blotter.journal import Journal
from ib_blotter.state.records import ConnectionState
from ib_blotter.ui.app import BlotterApp

from .test_journal import fill


def closed_port() -> int:
    """A loopback port nothing listens on: IB is unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_todays_fills_show_while_ib_is_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    now = datetime.now(UTC)
    earlier = max(now - timedelta(minutes=5),
                  now.astimezone().replace(hour=0, minute=0, second=1).astimezone(UTC))
    with Journal(path) as journal:
        journal.record_fill(fill("0000aaaa.today.01.01", at=earlier, commission=1.25))
        journal.record_fill(fill("0000bbbb.yesterday.01.01", at=now - timedelta(days=2)))
    app = BlotterApp(Settings(port=closed_port(), journal_file=path, retry_every=60.0))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        log = "\n".join(app.blotter.exec_log.lines_written)
        assert "exec 0000aaaa.today.01.01" in log and "commission 1.25" in log
        assert "yesterday" not in log
        assert app.state.connection.state is not ConnectionState.CONNECTED
        assert [f.exec_id for f in app.state.fills()] == ["0000aaaa.today.01.01"]
