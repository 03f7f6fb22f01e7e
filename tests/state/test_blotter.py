"""BlotterState: events in, state and changes out; driven with records and a fake clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ib_blotter.state.blotter import BlotterState, Change, ChangeKind
from ib_blotter.state.records import (
    ConnectionInfo,
    ConnectionState,
    FillRow,
    Liquidity,
    LogKind,
    OrderKey,
    OrderRow,
)

T0 = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> BlotterState:
    return BlotterState(linger=5.0, clock=clock, wall_clock=lambda: T0)


@pytest.fixture
def changes(state: BlotterState) -> list[Change]:
    seen: list[Change] = []
    state.subscribe(seen.append)
    return seen


def order(**fields: object) -> OrderRow:
    base = OrderRow(
        order_id=12,
        perm_id=555,
        client_id=1,
        symbol="AAPL",
        side="BUY",
        quantity=100,
        order_type="LMT",
        status="Submitted",
        limit=187.5,
        tif="DAY",
        remaining=100,
        ours=True,
        min_tick=0.01,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def fill(exec_id: str = "0001f4e8.6571a2b3.01.01", **fields: object) -> FillRow:
    base = FillRow(
        time=T0,
        exec_id=exec_id,
        order_id=12,
        perm_id=555,
        client_id=1,
        symbol="AAPL",
        side="BOT",
        shares=100,
        price=187.5,
        exchange="ISLAND",
        liquidity=Liquidity.REMOVED,
        account="DU1",
        cum_qty=100,
        avg_price=187.5,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


KEY = OrderKey(client_id=1, order_id=12)


# -- orders ------------------------------------------------------------------------------


def test_a_new_order_shows_in_both_views_and_is_announced(state, changes):
    state.order_updated(order())

    assert [row.key for row in state.working_orders()] == [KEY]
    assert [row.key for row in state.all_orders()] == [KEY]
    assert Change(ChangeKind.ORDER, KEY) in changes
    assert state.log_lines()[-1].kind is LogKind.ORDER
    assert state.log_lines()[-1].text == "Order #12 AAPL BUY 100 LMT 187.50 DAY: Submitted"


def test_first_seen_time_is_kept_when_the_order_has_none(state):
    state.order_updated(order(placed=None))
    state.order_updated(order(placed=T0 + timedelta(seconds=3), filled=10))

    assert state.order(KEY).placed == T0


def test_an_unchanged_update_is_not_announced(state, changes):
    state.order_updated(order())
    count = len(changes)
    state.order_updated(order())

    assert len(changes) == count


def test_a_status_change_is_logged(state):
    state.order_updated(order(status="PreSubmitted"))
    state.order_updated(order(status="Submitted"))

    assert state.order(KEY).status == "Submitted"
    assert state.log_lines()[-1].text == "Order #12 AAPL: Submitted"


def test_a_modification_is_logged_with_the_new_terms(state):
    state.order_updated(order())
    state.order_updated(order(limit=187.6))

    assert state.order(KEY).limit == 187.6
    assert state.log_lines()[-1].text == "Order #12 AAPL now BUY 100 LMT 187.60 DAY"


def test_an_ended_order_lingers_then_leaves_the_working_view(state, clock):
    state.order_updated(order())
    clock.now = 200.0
    state.order_updated(order(status="Filled", filled=100, remaining=0, avg_fill_price=187.5))

    assert state.order(KEY).ended_at == 200.0
    assert state.is_working(KEY)
    assert state.expire_ended(204.9) == []
    assert state.expire_ended(205.0) == [KEY]
    assert state.working_orders() == []
    assert [row.status for row in state.all_orders()] == ["Filled"]
    assert state.log_lines()[-1].text == "Order #12 AAPL: Filled 100 @ 187.50"


def test_a_repeated_ended_status_does_not_restart_the_linger(state, clock):
    state.order_updated(order(status="Cancelled"))
    clock.now = 103.0
    state.order_updated(order(status="Cancelled", last_message="202 Order cancelled"))

    assert state.order(KEY).ended_at == 100.0
    assert state.expire_ended(105.0) == [KEY]


def test_an_order_that_ended_before_we_connected_skips_the_working_view(state):
    state.order_updated(order(status="Filled"), from_sync=True)
    state.order_updated(order(order_id=13, perm_id=556, status="Submitted"), from_sync=True)

    assert [row.order_id for row in state.working_orders()] == [13]
    assert [row.order_id for row in state.all_orders()] == [12, 13]
    assert state.log_lines() == []


def test_an_order_ending_while_we_were_away_lingers_after_the_sync(state):
    state.order_updated(order())
    state.order_updated(order(status="Cancelled"), from_sync=True)

    assert state.is_working(KEY)


def test_a_warning_never_changes_the_status(state):
    state.order_updated(order())
    state.order_message(KEY, 2109, "Order Event Warning: Attribute 'Outside RTH' is ignored")

    row = state.order(KEY)
    assert row.status == "Submitted"
    assert row.last_message.startswith("2109 Order Event Warning")
    assert state.log_lines()[-1].kind is LogKind.WARNING
    assert state.log_lines()[-1].text.startswith("Order #12 AAPL: 2109")


def test_an_error_becomes_the_last_message_and_survives_later_updates(state):
    state.order_updated(order(status="PendingSubmit"))
    state.order_message(KEY, 201, "Order rejected - reason:Not enough buying power")
    state.order_updated(order(status="Inactive"))

    row = state.order(KEY)
    assert row.status == "Inactive"
    assert row.last_message == "201 Order rejected: Not enough buying power"
    assert any(
        line.kind is LogKind.ERROR
        and line.text.endswith("201 Order rejected: Not enough buying power")
        for line in state.log_lines()
    )


def test_a_message_before_the_order_arrives_is_kept_for_it(state):
    state.order_message(KEY, 110, "The price does not conform to the minimum price variation.")
    state.order_updated(order(status="PendingSubmit"))

    assert state.order(KEY).last_message == "110 Price is not on the contract's tick grid"


def test_a_completed_order_keyed_by_perm_id_updates_the_row_we_show(state):
    state.order_updated(order())
    state.order_updated(order(order_id=0, client_id=0, status="Filled", ours=False))

    assert [row.key for row in state.all_orders()] == [KEY]
    row = state.order(KEY)
    assert (row.status, row.order_id, row.client_id, row.ours) == ("Filled", 12, 1, True)


def test_a_row_first_seen_by_perm_id_moves_under_its_real_key(state, changes):
    perm_key = OrderKey(perm_id=555)
    state.order_updated(order(order_id=0, client_id=0, ours=False))
    state.order_updated(order())

    assert state.order(perm_key) is None
    assert [row.key for row in state.all_orders()] == [KEY]
    assert Change(ChangeKind.ORDER, perm_key) in changes


def test_an_order_placed_in_tws_is_keyed_by_perm_id(state):
    state.order_updated(order(order_id=0, client_id=0, perm_id=777, ours=False))

    assert state.all_orders()[0].key == OrderKey(perm_id=777)
    assert str(state.all_orders()[0].key) == "perm 777"


# -- fills -------------------------------------------------------------------------------


def test_a_fill_is_shown_once_however_often_it_arrives(state, changes):
    state.fill_received(fill())
    state.fill_received(fill())

    assert len(state.fills()) == 1
    assert [c for c in changes if c.kind is ChangeKind.FILL] == [
        Change(ChangeKind.FILL, "0001f4e8.6571a2b3.01")
    ]
    fill_lines = [line for line in state.log_lines() if line.kind is LogKind.FILL]
    assert [line.text for line in fill_lines] == [
        "BOT 100 AAPL @ 187.50 on ISLAND, removed liquidity, order #12, commission to come"
        ", exec 0001f4e8.6571a2b3.01.01"
    ]


def test_a_fill_of_an_order_whose_tick_is_known_shows_its_price_on_that_tick(state):
    state.order_updated(order(min_tick=0.01))
    state.fill_received(fill(price=187.5))

    [line] = [line for line in state.log_lines() if line.kind is LogKind.FILL]
    assert line.text.startswith("BOT 100 AAPL @ 187.50 on ISLAND")


def test_a_correction_replaces_the_fill_it_corrects(state):
    state.fill_received(fill("a.b.01.01"))
    state.fill_received(fill("x.y.01.01", price=187.6))
    state.fill_received(fill("a.b.01.02", price=187.4))

    assert [(f.exec_id, f.price) for f in state.fills()] == [
        ("a.b.01.02", 187.4),
        ("x.y.01.01", 187.6),
    ]
    assert state.log_lines()[-1].text.startswith("Corrected: BOT 100 AAPL @ 187.4")


def test_the_corrected_version_arriving_late_is_ignored(state):
    state.fill_received(fill("a.b.01.02", price=187.4))
    state.fill_received(fill("a.b.01.01", price=187.5))

    assert [(f.exec_id, f.price) for f in state.fills()] == [("a.b.01.02", 187.4)]


def test_a_commission_after_its_fill_completes_it(state):
    state.fill_received(fill())
    state.commission_received("0001f4e8.6571a2b3.01.01", 1.0, "USD", 12.3)

    row = state.fills()[0]
    assert (row.commission, row.commission_currency, row.realized_pnl) == (1.0, "USD", 12.3)
    [line] = state.log_lines()  # the fill's own line, completed
    assert line.kind is LogKind.FILL
    assert line.text == (
        "BOT 100 AAPL @ 187.50 on ISLAND, removed liquidity, order #12, commission 1.00 USD, "
        "realized PnL +12.30, exec 0001f4e8.6571a2b3.01.01"
    )


def test_a_commission_before_its_fill_waits_for_it(state):
    state.commission_received("0001f4e8.6571a2b3.01.01", 1.0, "USD", None)
    assert state.fills() == []

    state.fill_received(fill())

    row = state.fills()[0]
    assert (row.commission, row.realized_pnl) == (1.0, None)
    [line] = state.log_lines()
    assert line.kind is LogKind.FILL and "commission 1.00 USD" in line.text


def test_a_fill_that_already_carries_its_commission_logs_it_once(state):
    state.fill_received(fill(commission=1.0, commission_currency="USD"))
    state.commission_received("0001f4e8.6571a2b3.01.01", 1.0, "USD", None)
    state.fill_received(fill())  # replayed without the report: keeps the commission

    assert state.fills()[0].commission == 1.0
    [line] = state.log_lines()
    assert line.kind is LogKind.FILL and "commission 1.00 USD" in line.text


def test_a_commission_for_a_superseded_execution_is_dropped(state):
    state.fill_received(fill("a.b.01.02"))
    state.commission_received("a.b.01.01", 9.0, "USD", None)

    assert state.fills()[0].commission is None


def test_fills_are_bounded_and_an_evicted_fill_does_not_come_back(clock):
    state = BlotterState(clock=clock, wall_clock=lambda: T0, max_fills=3)
    for n in range(5):
        state.fill_received(fill(f"e{n}.01", time=T0 + timedelta(seconds=n)))
    state.fill_received(fill("e0.01", time=T0))

    assert [f.exec_id for f in state.fills()] == ["e2.01", "e3.01", "e4.01"]


def test_the_log_is_bounded_and_newest_last(clock):
    state = BlotterState(clock=clock, wall_clock=lambda: T0, max_log_lines=3)
    for n in range(5):
        state.log(LogKind.INFO, f"line {n}")

    assert [line.text for line in state.log_lines()] == ["line 2", "line 3", "line 4"]


def test_a_log_change_carries_the_new_line(state, changes):
    state.log(LogKind.INFO, "hello")

    assert changes[-1].kind is ChangeKind.LOG
    assert changes[-1].key.text == "hello"
    assert changes[-1].key.time == T0


# -- connection, positions, listeners ----------------------------------------------------


def test_connection_changes_are_logged_and_announced(state, changes):
    info = ConnectionInfo(
        state=ConnectionState.CONNECTED,
        host="127.0.0.1",
        port=7497,
        client_id=1,
        accounts=("DU1",),
        server_version=178,
        simulated=True,
    )
    state.connection_changed(info)
    state.connection_changed(info)

    assert state.connection is info
    assert changes.count(Change(ChangeKind.CONNECTION)) == 1
    assert state.log_lines()[-1].text == (
        "Connected to 127.0.0.1:7497 (SIMULATED) as client 1, server version 178, accounts DU1"
    )

    state.connection_changed(replace(info, state=ConnectionState.DISCONNECTED, last_error="x"))
    assert state.log_lines()[-1].text == "Disconnected from 127.0.0.1:7497: x"


def test_a_failing_listener_does_not_stop_the_others(state):
    seen: list[Change] = []

    def broken(change: Change) -> None:
        raise RuntimeError("widget bug")

    state.subscribe(broken)
    state.subscribe(seen.append)
    state.order_updated(order())

    assert Change(ChangeKind.ORDER, KEY) in seen


def test_unsubscribe_stops_the_changes(state):
    seen: list[Change] = []
    unsubscribe = state.subscribe(seen.append)
    unsubscribe()
    unsubscribe()
    state.log(LogKind.INFO, "quiet")

    assert seen == []


def test_expiry_only_pops_what_ended(state, clock):
    for n in range(1, 1001):
        state.order_updated(order(order_id=n, perm_id=1000 + n))
    clock.now = 150.0
    state.order_updated(order(order_id=7, perm_id=1007, status="Cancelled"))

    assert state.expire_ended(155.0) == [OrderKey(client_id=1, order_id=7)]
    assert len(state.working_orders()) == 999
    assert len(state.all_orders()) == 1000
