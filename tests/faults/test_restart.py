"""A restart the same day: the journal's fills are shown first, then IB's catch-up from the
point the journal vouches for; the log reads in the order things happened."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.journal import Journal, startup
from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import LogKind

from ..waiting import wait_until
from .conftest import HOST

CLIENT = 1
SWEEPS = 60
LEVELS = 20
SIZE = 10.0
SWEEP = SIZE * sum(1 + 0.5 * level for level in range(LEVELS))  # fills exactly LEVELS


def trade_over_the_morning(sim: Simulator, *, since_midnight: bool = True) -> None:
    """Market orders of our client, an even spread over the last hour (the last ones a few
    minutes ago, inside the catch-up's margin), each filled at LEVELS price levels.
    since_midnight: none before today began (so soon after midnight, over less than an hour)."""
    now = datetime.now().astimezone()
    span = timedelta(hours=1)
    if since_midnight:
        span = min(span, (now - now.replace(hour=0, minute=0, second=0)) * 0.9)
    con_id = sim.instrument_id("AAPL")
    sim.set_quote("AAPL", 100.00, 100.01, size=SIZE)
    clock = sim.exchange.clock
    try:
        for n in range(SWEEPS):
            at = (now - span * (1 - n / SWEEPS)).timestamp()
            sim.exchange.clock = lambda at=at: at
            sim.exchange.place(CLIENT, n + 1, SimContract(conId=con_id), OrderRequest(
                action="BUY" if n % 2 else "SELL", totalQuantity=SWEEP, orderType="MKT"))
    finally:
        sim.exchange.clock = clock


async def test_ib_catches_up_after_the_journals_day_is_shown(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trade_over_the_morning(sim)
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:  # the first start: the whole day from IB
        first = IBAdapter(BlotterState(), client_id=CLIENT, journal=journal)
        await first.connect(HOST, sim.port)
        first.disconnect()
    monkeypatch.setattr(startup, "PAUSE", 0.1)  # a restore slower than the connect
    state = BlotterState()
    journal = startup.open_journal(path, state)
    assert journal is not None
    again = IBAdapter(state, client_id=CLIENT, journal=journal,
                      history=startup.today_restored)
    try:
        await again.connect(HOST, sim.port)
        await wait_until(lambda: any("restored from" in line.text for line in state.log_lines()),
                         "the journal's day restored", timeout=30)
        said = [line.text for line in state.log_lines()]
        assert any(text.startswith("Caught up on") for text in said)  # IB did resend some
        fills = [line.text.rsplit(" ", 1)[-1] for line in state.log_lines()
                 if line.kind is LogKind.FILL]
        held = [fill.execId for fill in sim.exchange.fills]
        assert fills == held[-len(fills):]  # in the order they happened, the last one last
    finally:
        again.disconnect()
        journal.close()


async def test_the_paper_journal_s_vouch_is_what_ib_is_asked_from(
    sim: Simulator, tmp_path: Path
) -> None:
    """The app opens the live journal, and switches to the paper one when the handshake says
    the other end is ib-blotter-sim: the catch-up is asked from the paper journal's vouch (it
    was read from the live journal before the switch: the whole day again on every start).
    The hour's fills may begin yesterday: soon after midnight the catch-up's margin is the
    whole of today, and the test would not tell the vouch from the whole day."""
    trade_over_the_morning(sim, since_midnight=False)
    paper = tmp_path / "journal-sim.sqlite"
    with Journal(paper) as journal:  # the first start, on the paper journal
        first = IBAdapter(BlotterState(), client_id=CLIENT, journal=journal)
        await first.connect(HOST, sim.port)
        first.disconnect()
    state = BlotterState()
    live, switched = Journal(tmp_path / "journal.sqlite"), Journal(paper)
    again = IBAdapter(state, client_id=CLIENT, journal=live)
    again.on_simulator = lambda: again.use_journal(switched)
    try:
        await again.connect(HOST, sim.port)
        [said] = [line.text for line in state.log_lines() if line.text.startswith("Caught up")]
        asked = int(said.split()[3].replace(",", ""))
        assert 0 < asked < len(sim.exchange.fills) / 2, said
    finally:
        again.disconnect()
        live.close()
        switched.close()
