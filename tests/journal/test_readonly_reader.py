"""A read-only blotter only reads the journal: the blotter that trades stays its one writer,
whichever of the two starts first."""

from __future__ import annotations

from pathlib import Path

from ib_blotter.journal import Journal
from ib_blotter.state.records import ConnectionState

from ..app.conftest import sim_settings, start


async def test_a_readonly_blotter_started_first_leaves_the_writing_to_the_trader(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite"
    Journal(path).close()  # yesterday's journal, say
    async for blotter in start(sim_settings(readonly=True, journal_file=path)):
        assert blotter.app.state.connection.state is ConnectionState.CONNECTED
        journal = blotter.app.journal
        assert journal is not None and journal.read_only
        with Journal(path) as trader:  # the trading blotter, started second
            assert not trader.read_only
