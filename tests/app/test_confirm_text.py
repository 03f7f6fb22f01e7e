"""What a confirmation says (issue 13, points 5 and the numbers): a bracket's every exit with
its type, price and TIF; a market order's estimated notional; margin as a change."""

from __future__ import annotations

import ib_async

from ib_blotter.ib.convert import bracket_exits
from ib_blotter.ib.lookup import Found
from ib_blotter.state.brackets import exits
from ib_blotter.state.records import ContractSpec, OrderPreview, OrderSpec, Quote
from ib_blotter.ui.order_confirm_screen import preview_text
from ib_blotter.ui.ticket_desk import order_summary

AAPL = ContractSpec(symbol="AAPL", min_tick=0.01, currency="USD", con_id=265598)
FOUND = Found(ib_async.Contract(conId=265598, symbol="AAPL", secType="STK"), AAPL,
              "AAPL APPLE INC · NASDAQ")
BRACKET = OrderSpec(side="BUY", quantity=100, order_type="LMT", limit=187.5, tif="DAY",
                    take_profit=189.0, stop_loss=186.0)


def test_a_brackets_confirmation_names_every_exit_and_its_tif() -> None:
    text = order_summary(FOUND, BRACKET).plain
    assert "BUY 100 AAPL LMT 187.50  DAY" in text, text
    assert "take-profit SELL 100 LMT 189.00 GTC" in text, text
    assert "stop-loss   SELL 100 STP 186.00 GTC" in text, text
    assert "the exits are GTC, not DAY: they keep working after today's close" in text, text


def test_the_exits_the_confirmation_names_are_the_ones_sent() -> None:
    for tif in ("DAY", "GTC", "OPG", "GTD"):
        spec = OrderSpec(side="SELL", quantity=5, order_type="LMT", limit=10.0, tif=tif,
                         take_profit=9.0, stop_loss=11.0)
        sent = [(o.action, o.orderType, o.lmtPrice if o.orderType == "LMT" else o.auxPrice,
                 o.tif) for o in bracket_exits(spec, parent_id=1)]
        said = [(e.side, e.order_type, e.price, e.tif) for e in exits(spec)]
        assert sent == said


def test_a_market_orders_confirmation_estimates_its_notional_from_the_quote() -> None:
    spec = OrderSpec(side="BUY", quantity=100, order_type="MKT")
    text = order_summary(FOUND, spec, Quote(187.50, 187.52, 187.51)).plain
    assert "Estimated notional: 18,752.00 USD (at the ask 187.52)" in text, text
    sell = order_summary(FOUND, OrderSpec(side="SELL", quantity=100, order_type="MKT"),
                         Quote(187.50, 187.52, 187.51)).plain
    assert "18,750.00 USD (at the bid 187.50)" in sell, sell


def test_margin_reads_as_a_change() -> None:
    preview = OrderPreview(1.0, None, None, "USD", 4685.0, 4685.0, 995_315.0)
    text = preview_text(preview).plain
    assert "Init margin change +4,685.00" in text and "Maint margin change +4,685.00" in text
