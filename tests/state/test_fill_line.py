"""One log line per fill, completed in place with its commission when the report comes: the
line stays where the fill came (the journal's order), and a reader never has to tie a
commission to its fill by a long exec id."""

from __future__ import annotations

from datetime import UTC, datetime

from ib_blotter.state.blotter import BlotterState, ChangeKind
from ib_blotter.state.portfolio import PortfolioState
from ib_blotter.state.records import FillRow, LogKind, LogLine

FILL = FillRow(time=datetime(2026, 12, 1, 15, 0, tzinfo=UTC), exec_id="0000e0d5.69dd7411.01.01",
               order_id=21, perm_id=5, symbol="AAPL", side="BOT", shares=100, price=187.5)


def test_the_commission_completes_the_fills_line() -> None:
    state = BlotterState()
    changes: list[tuple[ChangeKind, LogLine]] = []
    state.subscribe(lambda c: changes.append((c.kind, c.key)) if isinstance(c.key, LogLine)
                    else None)
    state.fill_received(FILL)
    state.log(LogKind.INFO, "something else meanwhile")
    state.commission_received(FILL.exec_id, 1.0, "USD", None)
    fills = [line for line in state.log_lines() if line.kind is LogKind.FILL]
    assert len(fills) == 1 and "commission 1.00 USD" in fills[0].text
    assert [line.text for line in state.log_lines()][1] == "something else meanwhile"
    (new, first), *_, (completed, last) = changes
    assert (new, completed) == (ChangeKind.LOG, ChangeKind.LOG_COMPLETED)
    assert first.key == last.key == FILL.exec_id and "commission" not in first.text.replace(
        "commission to come", "")
    assert not [line for line in state.log_lines() if line.kind is LogKind.COMMISSION]


def test_a_fill_with_its_commission_is_one_line_at_once() -> None:
    state = BlotterState()
    state.commission_received(FILL.exec_id, 1.0, "USD", 12.3)  # the report came first
    state.fill_received(FILL)
    [line] = state.log_lines()
    assert "commission 1.00 USD" in line.text and "realized PnL +12.30" in line.text



def test_a_correction_has_its_own_line_and_its_commission_completes_it() -> None:
    state = BlotterState()
    state.fill_received(FILL)
    state.commission_received(FILL.exec_id, 1.0, "USD", None)
    corrected = FillRow(**{**{f: getattr(FILL, f) for f in FILL.__dataclass_fields__},
                           "exec_id": "0000e0d5.69dd7411.01.02", "price": 187.4})
    state.fill_received(corrected)
    state.commission_received(corrected.exec_id, 1.0, "USD", None)
    first, second = [line.text for line in state.log_lines() if line.kind is LogKind.FILL]
    assert "187.50" in first and "commission 1.00 USD" in first
    assert second.startswith("Corrected: ") and "187.40" in second
    assert "commission 1.00 USD" in second


def fill_of(**changes: object) -> FillRow:
    return FillRow(**{**{f: getattr(FILL, f) for f in FILL.__dataclass_fields__}, **changes})


def test_a_fill_says_its_currency_when_it_is_not_the_accounts() -> None:
    state = BlotterState(base_of=lambda account: {"DU2": "EUR"}.get(account, "USD"))
    state.fill_received(fill_of(exec_id="e1.01", symbol="SAP", price=238.45, currency="EUR",
                                exchange="IBIS", account="DU1"))
    state.fill_received(fill_of(exec_id="e2.01", symbol="SAP", price=238.45, currency="EUR",
                                exchange="IBIS", account="DU2"))
    state.fill_received(fill_of(exec_id="e3.01", currency="USD", account="DU1"))
    state.fill_received(fill_of(exec_id="e4.01", currency="USD", account="DU2"))
    sap_usd, sap_eur, aapl_usd, aapl_eur = (line.text for line in state.log_lines())
    assert sap_usd.startswith("BOT 100 SAP @ 238.45 EUR on IBIS"), sap_usd
    assert sap_eur.startswith("BOT 100 SAP @ 238.45 on IBIS"), sap_eur  # the account's own
    assert aapl_usd.startswith("BOT 100 AAPL @ 187.50, order"), aapl_usd
    assert aapl_eur.startswith("BOT 100 AAPL @ 187.50 USD, order"), aapl_eur


def test_a_price_in_pence_says_so() -> None:
    state = BlotterState()
    state.fill_received(fill_of(symbol="VOD", price=71.24, currency="GBP", price_magnifier=100,
                                exchange="LSE"))
    [line] = state.log_lines()
    assert line.text.startswith("BOT 100 VOD @ 71.24 pence on LSE"), line.text


def test_the_base_is_the_accounts_as_ib_reports_it() -> None:
    portfolio = PortfolioState()
    state = BlotterState(base_of=portfolio.base_currency)
    portfolio.account_value("DU9", "NetLiquidation", "100000", "EUR")  # a EUR account
    state.fill_received(fill_of(exec_id="e5.01", symbol="SAP", price=238.45, currency="EUR",
                                exchange="IBIS", account="DU9"))
    state.fill_received(fill_of(exec_id="e6.01", currency="USD", account="DU9",
                                exchange="NASDAQ"))
    sap, aapl = (line.text for line in state.log_lines())
    assert sap.startswith("BOT 100 SAP @ 238.45 on IBIS") and "AAPL @ 187.50 USD on" in aapl
