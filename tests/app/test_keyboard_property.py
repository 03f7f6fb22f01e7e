"""Random key streams against the app and its simulator, over the real socket.

Text, tabs, enters, escapes, every hotkey, pastes, bursts with no pause between keys, and
resizes. Whatever the stream: every order, change, cancel and global cancel that reached the
exchange was approved by the trader with its send key on a confirmation showing exactly that
request (or is a nudge the gate let go at once); focus is never on nothing; no handler failed.
CI runs a bounded number of streams (derandomized: the same ones every run); set
IB_BLOTTER_LONG=1 for hundreds. A failing stream is printed and replays exactly.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from ib_blotter.state.gate import Action, Approval
from ib_blotter.ui.app import BlotterApp

from .conftest import sim_settings, start
from .keys import key_event, split_keys

LONG = os.environ.get("IB_BLOTTER_LONG") == "1"
KEYS = ["tab", "shift+tab", "enter", "escape", "y", "o", "n", "a", "m", "c", "C", "plus",
        "minus", "p", "f", "l", "question_mark", "up", "down", "backspace", "ctrl+a",
        "ctrl+k", "space", "colon", "b", "s", "right"]
LINES = [":b 100 aapl 187.4", ":s 10 aapl stp 180", ":b 1 es mkt", "nAAPL", ":b 100 appl 187.5",
         ":s 50 msft 420 gtd 2026-12-31", ":b 10 aapl 187.6 tp 189 sl 186", "100", "187.45",
         ":b 1 aapl 180 m c C p a f + -", ":s 20 aapl trail 2%", "msft", "6000"]
chunk = st.one_of(
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=6).map(lambda k: ("keys", k)),
    st.sampled_from(LINES).map(lambda line: ("keys", split_keys(line))),
    st.sampled_from(LINES).map(lambda line: ("paste", line)),
    st.sampled_from([(80, 24), (120, 36), (160, 45)]).map(lambda size: ("resize", size)),
    st.just(("wait", 0.2)),
)
streams = st.lists(chunk, min_size=1, max_size=40 if LONG else 16)


async def play(stream: list[tuple[str, Any]]) -> None:
    async for blotter in start(sim_settings(), size=(80, 24)):
        app, pilot = blotter.app, blotter.pilot
        blotter.sim.set_quote("AAPL", 187.50, 187.51, last=187.50)
        for kind, what in stream:
            if kind == "keys":
                for key in what:
                    app.post_message(key_event(key))
            elif kind == "paste":
                app.post_message(events.Paste(what))
            elif kind == "resize":
                await pilot.resize_terminal(*what)
            else:
                await asyncio.sleep(what)
            await pilot.pause()
            await pilot.pause()
            assert app.screen.focused is not None, f"nothing has focus after {kind} {what}"
        await pilot.pause(0.5)
        check(app)


def check(app: BlotterApp) -> None:
    assert app.handled_errors == [], app.handled_errors
    shown = {id(decision): key for decision, key in app.answered}
    for approval in app.approvals:
        decision = approval.decision
        nudge_at_once = decision.request.action is Action.NUDGE and not decision.needs_question
        assert nudge_at_once or shown.get(id(decision)) == approval.key, \
            f"{approval.request.action} sent without its confirmation"
        assert approval.key in decision.send_keys
    sim = app.simulator
    assert sim is not None
    traffic = sim.traffic
    placed = [o for o in traffic.received_orders if not o.request.whatIf]
    assert len(placed) == sum(orders_sent(a) for a in app.approvals), (placed, app.approvals)
    assert len(traffic.cancels) == sum(a.request.action is Action.CANCEL for a in app.approvals)
    assert traffic.global_cancels == sum(a.request.action is Action.CANCEL_ALL
                                         for a in app.approvals)
    for received, approval in zip(placed, placements(app.approvals), strict=False):
        order = approval.request.order
        assert order is not None
        assert (received.request.action, received.request.orderType) in (
            (order.side, order.order_type), (_other(order.side), "LMT"),
            (_other(order.side), "STP")), (received, approval)


def orders_sent(approval: Approval) -> int:
    request = approval.request
    if request.action is Action.PLACE and request.order is not None:
        exits = (request.order.take_profit, request.order.stop_loss)
        return 1 + sum(price is not None for price in exits)
    return 1 if request.action in (Action.MODIFY, Action.NUDGE) else 0


def placements(approvals: list[Approval]) -> list[Approval]:
    return [a for a in approvals for _ in range(orders_sent(a))]


def _other(side: str) -> str:
    return "SELL" if side == "BUY" else "BUY"


@settings(max_examples=300 if LONG else 12, deadline=None, derandomize=not LONG,
          suppress_health_check=list(HealthCheck), print_blob=True)
@given(streams)
def test_nothing_leaves_that_the_trader_did_not_confirm(stream: list[tuple[str, Any]]) -> None:
    asyncio.run(play(stream))
