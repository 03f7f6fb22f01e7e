"""The ticket's line tells the truth (issue 13, point 3), and the log has no noise from the
lookup's own probes (point 4): against the embedded simulator, over the real socket."""

from __future__ import annotations

from ib_blotter.ui.fitted_line import FittedLine

from .conftest import Blotter
from .test_order_depth import type_into


def info(blotter: Blotter) -> str:
    return blotter.app.blotter.ticket.query_one("#ticket-info", FittedLine).plain


def invalid(blotter: Blotter, name: str) -> bool:
    return blotter.app.blotter.ticket.query_one(f"#field-{name}").has_class("-invalid")


async def test_errors_clear_one_by_one_as_their_fields_are_fixed(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await type_into(blotter, "quantity", "abc")
    await type_into(blotter, "limit", "")
    await blotter.press("enter")
    await blotter.until(lambda: "Quantity must be a number" in info(blotter), "both errors")
    assert "Limit price required" in info(blotter)

    await type_into(blotter, "quantity", "100")
    await blotter.until(lambda: "Quantity" not in info(blotter), "the quantity's error gone")
    assert "Limit price required" in info(blotter) and not invalid(blotter, "quantity")
    assert invalid(blotter, "limit")

    await type_into(blotter, "limit", "187.40")
    await blotter.until(lambda: "bid 187.50" in info(blotter), "the quote back on the line")
    assert not invalid(blotter, "limit")


async def test_a_failed_lookup_says_no_such_contract(blotter: Blotter) -> None:
    await blotter.press("n")
    await blotter.type("XYZQ")
    await blotter.press("enter")
    await blotter.until(lambda: "no such contract" in info(blotter).lower(), "the answer")
    assert "Looking up" not in info(blotter)

    await type_into(blotter, "quantity", "100")
    await type_into(blotter, "limit", "10")
    await blotter.press("enter")
    await blotter.pilot.pause(0.2)
    assert "Still looking up" not in info(blotter), info(blotter)
    assert "no such contract" in info(blotter).lower(), info(blotter)

    await type_into(blotter, "symbol", "EUR.USD")  # typed, not yet looked up
    await blotter.until(lambda: "XYZQ" not in info(blotter), "the old symbol's message gone")


async def test_a_new_symbol_shows_its_quote_at_once(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51, 187.50)
    blotter.sim.set_quote("MSFT", 415.10, 415.20, 415.10)
    await blotter.look_up("AAPL")
    await blotter.until(lambda: "bid 187.50" in info(blotter), "AAPL's quote")
    await blotter.press("escape")  # out of the quantity field the lookup focused
    await blotter.look_up("MSFT")
    await blotter.until(lambda: "bid 415.10" in info(blotter), "MSFT's quote", timeout=3)
    await blotter.press("escape")
    await blotter.look_up("AAPL")
    await blotter.until(lambda: "bid 187.50" in info(blotter), "AAPL's quote again",
                        timeout=3)


def errors_logged(blotter: Blotter) -> list[str]:
    """The error lines the log shows."""
    return [line for line in blotter.app.blotter.exec_log.lines_written if " ERR " in line]


async def test_a_lookup_logs_nothing_of_its_own_probes(blotter: Blotter) -> None:
    await blotter.look_up("ES")
    await blotter.pilot.pause(0.2)
    assert errors_logged(blotter) == []

    await blotter.press("escape", "n", "ctrl+a", "ctrl+k")
    await blotter.type("XYZQ")
    await blotter.press("enter")
    await blotter.until(lambda: errors_logged(blotter), "the failed lookup logged")
    await blotter.pilot.pause(0.2)
    [line] = errors_logged(blotter)
    assert "XYZQ" in line and "no such contract" in line.lower(), line
