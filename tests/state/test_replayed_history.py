"""IB's answer to reqExecutions is history: its fills go into the state as they come, and once
the answer is in, the newest the log keeps get their lines, in time order, each once, with its
commission. A first start's 100,000 lines, formatted and painted one by one, were 2,000 kept."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ib_blotter.ib.recorder import FillRecorder
from ib_blotter.state import log_text
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import FillRow, LogKind

KEPT = 40  # log lines the state keeps
START = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)


def fill(number: int, *, live: bool = False) -> FillRow:
    return FillRow(time=START + timedelta(seconds=number), order_id=7 if live else 5,
                   exec_id=f"0000e0d5.{number:08x}.01.01", perm_id=0, symbol="AAPL",
                   side="BOT", shares=100, price=187.5)


def report(recorder: FillRecorder, exec_id: str) -> None:
    recorder.commission(exec_id, 1.0, "USD", None)


def fill_lines(state: BlotterState) -> list[str]:
    return [line.key for line in state.log_lines() if line.kind is LogKind.FILL]


@pytest.mark.parametrize("seed", range(12))
def test_a_replay_logs_the_newest_fills_it_keeps_in_time_order(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    state = BlotterState(max_log_lines=KEPT)
    recorder = FillRecorder(state, None)
    formatted: list[str] = []
    fill_text = log_text.fill_text
    monkeypatch.setattr(log_text, "fill_text",
                        lambda f, *a: formatted.append(f.exec_id) or fill_text(f, *a))
    history = [fill(n) for n in range(rng.randrange(KEPT // 2, 12 * KEPT))]
    rng.shuffle(history)  # IB's order need not be the fills' own
    live = [fill(100_000 + n, live=True) for n in range(3)]
    for replayed in history:
        if rng.random() < 0.1:  # the report before its fill
            report(recorder, replayed.exec_id)
            recorder.execution(replayed, replayed=True)
        else:
            recorder.execution(replayed, replayed=True)
            if rng.random() < 0.9:  # else no report until after the answer
                report(recorder, replayed.exec_id)
        if live and rng.random() < 0.01:
            trade = live.pop()
            recorder.execution(trade, replayed=False)
            assert fill_lines(state)[-1] == trade.exec_id  # shown the moment it came
            report(recorder, trade.exec_id)
    recorder.answer_ended()
    newest = sorted(history, key=lambda f: f.time)[-KEPT:]
    lines = fill_lines(state)
    shown = [key for key in lines if key in {f.exec_id for f in history}]
    assert shown == [f.exec_id for f in newest][-len(shown):]  # newest, in time order
    assert len(shown) == min(KEPT, len(history))
    assert len(set(lines)) == len(lines)  # each once
    assert len(formatted) <= KEPT + 2 * 3  # the newest formatted; the live ones twice each
    reported = [f for f in newest if "commission to come" in
                next(line.text for line in state.log_lines() if line.key == f.exec_id)]
    for late in reported:  # the late reports complete their lines in place
        report(recorder, late.exec_id)
    assert all("commission 1.00 USD" in line.text for line in state.log_lines()
               if line.kind is LogKind.FILL)
    assert fill_lines(state) == lines
