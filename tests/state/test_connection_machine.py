"""The connection's states and named transitions: each applies only where it makes sense."""

from __future__ import annotations

from ib_blotter.state.connection import ConnectionMachine
from ib_blotter.state.records import ConnectionState as S


def test_a_day_of_connections() -> None:
    link = ConnectionMachine(client_id=7)
    assert link.attempt("127.0.0.1", 4002, retry=False).state is S.CONNECTING
    assert link.up(("DU1",), 178).state is S.CONNECTED and link.usable
    lost = link.link_lost("1100 IB lost")
    assert (lost.state, lost.last_error, link.usable) == (S.LINK_LOST, "1100 IB lost", False)
    assert link.link_back().state is S.CONNECTED
    dropped = link.dropped("Connection closed")
    assert (dropped.state, dropped.last_error) == (S.DISCONNECTED, "Connection closed")
    waiting = link.waiting(2.5)
    assert (waiting.state, waiting.retry_in) == (S.RECONNECTING, 2.5)
    retry = link.attempt("127.0.0.1", 4002, retry=True)
    assert (retry.state, retry.retry_in, retry.last_error) == (S.RECONNECTING, None,
                                                               "Connection closed")
    assert link.failed("Nothing listens").state is S.RECONNECTING
    assert link.waiting(5).retry_in == 5
    link.attempt("127.0.0.1", 4002, retry=True)
    assert link.up(("DU1",), 178).last_error == ""


def test_a_transition_that_does_not_apply_changes_nothing() -> None:
    link = ConnectionMachine(client_id=1)
    assert link.link_back().state is S.DISCONNECTED  # a late 1102 while down
    link.attempt("h", 1, retry=False)
    before = link.info
    assert link.link_lost("1100") == before  # not connected yet: nothing to lose
    assert link.waiting(1.0) == before  # an attempt under way does not wait
    assert link.failed("no").state is S.DISCONNECTED
    assert link.closed().last_error == ""


def test_tws_names_its_zone_when_a_client_connects() -> None:
    from ib_blotter.state.tws_time import zone_of_connection_time

    assert zone_of_connection_time("20261201 09:56:00 US/Eastern") == "US/Eastern"
    assert zone_of_connection_time("20261201 09:56:00 EST") == "US/Eastern"
    assert zone_of_connection_time("20261201 15:56:00 Central European Standard Time") \
        == "Europe/Berlin"
    assert zone_of_connection_time("20261201 09:56:00 Nowhere/Else") is None
    assert zone_of_connection_time("20261201") is None
