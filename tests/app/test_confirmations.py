"""Confirmations that can't be slipped through, read-only that shows before anything is typed,
and a journal that says what was sent and by which key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import Static

from ib_blotter.sim.simulator import ReceivedOrder, SimConfig, Simulator
from ib_blotter.ui.blotter_footer import BlotterFooter
from ib_blotter.ui.order_confirm_screen import OrderConfirmScreen

from .conftest import Blotter, sim_settings, start


def sent(blotter: Blotter) -> list[ReceivedOrder]:
    return [o for o in blotter.sim.traffic.received_orders if not o.request.whatIf]


async def confirm_line(blotter: Blotter, line: str) -> OrderConfirmScreen:
    blotter.app.blotter.orders.focus()
    await blotter.press("colon", *line, "enter")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        f"the confirmation of {line!r}")
    screen = blotter.app.screen
    assert isinstance(screen, OrderConfirmScreen)
    return screen


def text_of(screen: OrderConfirmScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def test_a_double_enter_in_the_ticket_sends_nothing(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51, last=187.50)
    await blotter.look_up("AAPL")
    ticket = blotter.app.blotter.ticket
    ticket.query_one("#quantity").focus()
    await blotter.type("100")
    ticket.query_one("#limit").focus()
    await blotter.type("187.40")
    await blotter.press("enter", "enter")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        "the confirmation")
    await blotter.press("enter")
    await blotter.pilot.pause(0.2)
    assert sent(blotter) == [] and isinstance(blotter.app.screen, OrderConfirmScreen)
    await blotter.press("y")
    await blotter.until(lambda: len(sent(blotter)) == 1, "the order sent by y")


async def test_cancel_all_needs_two_different_answers(blotter: Blotter) -> None:
    blotter.app.blotter.orders.focus()
    await blotter.press("C", "y", "y")
    await blotter.pilot.pause(0.2)
    assert blotter.sim.traffic.global_cancels == 0
    await blotter.press("escape", "escape")
    await blotter.pilot.pause(0.1)
    await blotter.press("C", "y", "a")
    await blotter.until(lambda: blotter.sim.traffic.global_cancels == 1, "the global cancel")


async def test_a_quick_entry_right_after_start_checks_the_deviation(blotter: Blotter) -> None:
    # no quote in the ticket yet: the order is judged once the market's first quote is in
    screen = await confirm_line(blotter, "b 100 msft 300")
    assert "from the last" in text_of(screen) and "o: override" in text_of(screen)


async def test_the_journal_holds_the_order_as_modified_and_the_key(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51, last=187.50)
    await confirm_line(blotter, "b 100 aapl 187.00")
    await blotter.press("y")
    await blotter.until(lambda: blotter.app.blotter.orders.row_count == 1, "the order working")
    blotter.app.blotter.orders.focus()
    await blotter.press("minus")
    await blotter.until(lambda: len(sent(blotter)) == 2, "the nudge sent")
    journal = blotter.app.journal
    assert journal is not None
    journal.commit()
    actions = [e.data for e in journal.events("order_action")]
    assert [a["action"] for a in actions] == ["place", "modify"]
    assert actions[1]["order"]["lmtPrice"] == 186.99  # what was sent, not what it was
    assert actions[0]["key"] == "y" and actions[1]["key"] == "-"


@pytest.fixture
async def manual_sim() -> AsyncIterator[Simulator]:
    sim = Simulator(SimConfig(port=0, pace=0, manual_orders=1))
    await sim.start()
    yield sim
    await sim.stop()


async def test_readonly_client_zero_binds_nothing(manual_sim: Simulator, tmp_path: Path) -> None:
    requests: list[str] = []
    handle = manual_sim.handle

    def spy(session, message):  # type: ignore[no-untyped-def]
        requests.append(message[0])
        handle(session, message)

    manual_sim.handle = spy  # type: ignore[method-assign]
    settings = sim_settings(sim=False, port=manual_sim.port, client_id=0, readonly=True,
                            journal_file=tmp_path / "j.sqlite")
    async for blotter in start(settings):
        await blotter.pilot.pause(0.3)
        assert "15" not in requests, "no reqAutoOpenOrders"
        assert [o.orderId for o in manual_sim.exchange.by_perm.values()] == [0]
        assert manual_sim.traffic.received_orders == []
        title = str(blotter.app.blotter.ticket.border_title or "")
        footer = blotter.app.blotter.query_one(BlotterFooter)
        assert "READ-ONLY" in footer.plain  # the footer says it too
        assert "READ-ONLY" in title
        shown = {key for key, active in blotter.app.screen.active_bindings.items()
                 if active.binding.show and active.enabled}
        assert not {"m", "c", "C", "plus", "minus"} & shown

