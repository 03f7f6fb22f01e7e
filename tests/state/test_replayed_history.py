"""IB's answer to reqExecutions is history: its fills go into the state as they come, and once
the answer is in, the newest the log keeps get their lines, in time order, each once, with its
commission. A first start's 100,000 lines, formatted and painted one by one, were 2,000 kept."""

from __future__ import annotations

import random
from dataclasses import replace
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
    recorder.answer_began()
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
    said = len(state.log_lines())  # the live fills' lines, which stay
    recorder.answer_ended()
    newest = sorted(history, key=lambda f: f.time)[-(KEPT - said):]
    lines = fill_lines(state)
    shown = [key for key in lines if key in {f.exec_id for f in history}]
    assert shown == [f.exec_id for f in newest][-len(shown):]  # newest, in time order
    assert len(shown) == min(KEPT - said, len(history))
    assert len(lines) == len(shown) + said
    assert len(set(lines)) == len(lines)  # each once
    assert len(formatted) <= KEPT + 2 * 3  # the newest formatted; the live ones twice each
    reported = [f for f in newest if "commission to come" in
                next(line.text for line in state.log_lines() if line.key == f.exec_id)]
    for late in reported:  # the late reports complete their lines in place
        report(recorder, late.exec_id)
    assert all("commission 1.00 USD" in line.text for line in state.log_lines()
               if line.kind is LogKind.FILL)
    assert fill_lines(state) == lines


def replay(recorder: FillRecorder, numbers: range | list[int]) -> None:
    for number in numbers:
        recorder.execution(fill(number), replayed=True)
        report(recorder, fill(number).exec_id)


def texts(state: BlotterState) -> list[str]:
    return [line.text for line in state.log_lines()]


def test_what_is_said_during_the_replay_stays_with_the_fills_it_brought() -> None:
    """The history fills the room the lines said since the answer began leave: its outcome
    and a live fill are not pushed out by older fills."""
    state = BlotterState(max_log_lines=KEPT)
    recorder = FillRecorder(state, None)
    recorder.answer_began()
    replay(recorder, range(100))
    trade = fill(100_000, live=True)
    recorder.execution(trade, replayed=False)
    report(recorder, trade.exec_id)
    state.tell("catch-up", LogKind.WARNING, "Missed executions not fetched: no answer")
    recorder.answer_ended()
    assert trade.exec_id in fill_lines(state)
    assert "Missed executions not fetched: no answer" in texts(state)
    assert len(state.log_lines()) == KEPT


def test_what_comes_after_the_answer_is_logged_at_once() -> None:
    """A timed-out answer goes on coming (ib_async still routes it as the answer's)."""
    state = BlotterState(max_log_lines=KEPT)
    recorder = FillRecorder(state, None)
    recorder.answer_began()
    replay(recorder, range(5))
    recorder.answer_ended()
    replay(recorder, range(5, 10))
    assert fill_lines(state) == [fill(n).exec_id for n in range(10)]


def test_the_newest_get_lines_even_when_the_state_no_longer_holds_them() -> None:
    """The state keeps fills by arrival (max_fills), the log the newest it took, by time."""
    state = BlotterState(max_log_lines=KEPT, max_fills=100)
    recorder = FillRecorder(state, None)
    history = list(range(1000))
    random.Random(1).shuffle(history)
    recorder.answer_began()
    replay(recorder, history)
    recorder.answer_ended()
    lines = fill_lines(state)
    assert len(lines) == len(set(lines)) == KEPT
    assert lines == sorted(lines)  # in time order (the ids count up with the time)


def test_a_correction_within_the_answer_is_one_line_in_its_place() -> None:
    state = BlotterState(max_log_lines=KEPT)
    recorder = FillRecorder(state, None)
    recorder.answer_began()
    replay(recorder, range(KEPT))
    corrected = replace(fill(KEPT - 1), exec_id=fill(KEPT - 1).exec_id[:-2] + "02",
                        price=187.4)
    recorder.execution(corrected, replayed=True)
    report(recorder, corrected.exec_id)
    recorder.answer_ended()
    lines = fill_lines(state)
    assert lines == [fill(n).exec_id for n in range(KEPT - 1)] + [corrected.exec_id]
    assert "187.40" in state.log_lines()[-1].text


def test_a_line_rewritten_after_it_left_the_log_is_said_anew() -> None:
    state = BlotterState(max_log_lines=5)
    state.tell("catch-up", LogKind.INFO, "Reading IB's executions: 1,500 so far")
    for number in range(5):  # unkeyed lines push it out
        state.log(LogKind.ORDER, f"order event {number}")
    state.tell("catch-up", LogKind.INFO, "Caught up on 42,000 executions from IB")
    assert texts(state)[-1] == "Caught up on 42,000 executions from IB"
