"""While the disk refuses the journal's writes, the top line says how far behind it is, until
every write has landed (issue 11, point 3: "the screen says how far the journal is behind")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ib_blotter.ui.connection_bar import ConnectionBar

from ..journal.test_one_writer import fill_up, free_space
from .conftest import Blotter, sim_settings, start
from .test_trading import enter_limit_order


def top_line(blotter: Blotter) -> str:
    return blotter.app.blotter.query_one(ConnectionBar).render().plain


@pytest.fixture
async def blotter(tmp_path: Path) -> AsyncIterator[Blotter]:
    async for running in start(sim_settings(journal_file=tmp_path / "journal.sqlite"),
                               size=(80, 24)):
        yield running


async def test_the_top_line_says_how_far_the_journal_is_behind(blotter: Blotter) -> None:
    journal = blotter.app.journal
    assert journal is not None
    assert "journal" not in top_line(blotter)
    blotter.sim.set_quote("AAPL", 187.50, 187.51, size=100)
    await blotter.look_up("AAPL")
    fill_up(journal)
    await enter_limit_order(blotter, "250", "187.60")
    await blotter.press("y")
    await blotter.until(lambda: "behind" in top_line(blotter),
                        "the top line says the journal is behind")
    assert journal.backlog.writes > 0
    # writes go on failing as the order's events come: the line follows the count
    await blotter.until(lambda: f"journal {journal.backlog.writes:,} behind" in top_line(blotter),
                        "the top line says how many writes are behind")
    free_space(journal)
    await blotter.until(lambda: journal.backlog.writes == 0, "the journal caught up")
    await blotter.until(lambda: "behind" not in top_line(blotter),
                        "the top line no longer says the journal is behind")
