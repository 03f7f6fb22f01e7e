"""The golden traces are well formed, and the comparison does what README.md says (synthetic input).

These tests do not run the simulator: the sim-vs-trace tests come with the simulator's fixes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .loader import (
    CLIENT,
    CLIENT_KINDS,
    SERVER,
    SERVER_KINDS,
    Message,
    Trace,
    compare,
    load,
    time_shape,
    trace_files,
)

CONFIDENCES = {"recorded", "mapped", "inferred"}
TOP_KEYS = {
    "scenario", "title", "server_version", "compare_at", "confidence", "open_start", "open_end",
    "classes", "kinds", "sources", "notes", "messages",
}
SCENARIOS_OF_ISSUE_12 = {
    "resting_lmt_cancel", "mkt_fill", "partial_fill", "modify", "modify_off_tick_110",
    "stop_trigger", "bracket_parent_fills", "bracket_child_modify_after_fill_135", "oca_fill",
    "reject_201_inactive", "reject_321_invalid_type", "reject_200_no_security",
    "reject_110_new_order", "reject_387_unsupported_type", "reject_10243_fractional",
    "reject_321_missing_exchange", "what_if", "closed_session_399",
    "transmit_false_then_transmit", "client0_manual_binding", "reconnect_working_orders",
    "completed_orders", "execution_time_formats", "connect_download_open_orders",
}

TRACE_PATHS = trace_files()


# ---- the files --------------------------------------------------------------------------------
def test_every_scenario_of_the_issue_has_a_trace() -> None:
    assert {path.stem for path in TRACE_PATHS} >= SCENARIOS_OF_ISSUE_12


@pytest.mark.parametrize("path", TRACE_PATHS, ids=lambda p: p.stem)
def test_trace_file_is_well_formed(path: Any) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert set(raw) <= TOP_KEYS, set(raw) - TOP_KEYS
    trace = load(path)
    assert trace.name == path.stem
    assert trace.title and trace.notes
    assert trace.confidence in CONFIDENCES
    assert 100 <= trace.server_version <= 300 and trace.compare_at == 178
    assert trace.server_messages(), "a trace says what the server sends"
    for source in trace.sources:
        assert source.get("what"), source
        assert source.get("url") or (source.get("repository") and source.get("path")), source
        if source.get("url"):
            assert source["url"].startswith("https://"), source
        if source.get("commit"):
            assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), source
    for message in trace.messages:
        _check_message(message)


def _check_message(message: Message) -> None:
    assert message.direction in (CLIENT, SERVER), message
    kinds = SERVER_KINDS if message.direction == SERVER else CLIENT_KINDS
    assert message.kind in kinds, message
    for name, value in message.fields.items():
        assert re.fullmatch(r"[a-z]+(\.[a-zA-Z]+)?|[a-z][a-zA-Z]*", name), name
        if isinstance(value, dict):
            assert set(value) <= {"one_of", "match", "shape"} and len(value) == 1, value
            if "match" in value:
                re.compile(value["match"])


@pytest.mark.parametrize("path", TRACE_PATHS, ids=lambda p: p.stem)
def test_trace_agrees_with_its_own_messages(path: Any) -> None:
    """Played back as if observed (ids made up, optional ones included), a trace matches itself."""
    trace = load(path)
    observed = [(m.kind, _as_observed(m.fields)) for m in trace.server_messages()]
    assert compare(trace, observed) is None


def _as_observed(fields: dict[str, Any]) -> dict[str, Any]:
    """A trace message's fields as a simulator might send them: rules resolved, ids invented."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            value = _satisfying(value)
        elif isinstance(value, str) and value.startswith("$"):
            value = sum(map(ord, value)) * 7  # the same made-up id for the same binding
        out[name] = value
    return out


def _satisfying(rule: dict[str, Any]) -> Any:
    if "one_of" in rule:
        return rule["one_of"][0]
    if "shape" in rule:
        shape = rule["shape"] if isinstance(rule["shape"], str) else rule["shape"][0]
        return shape.replace("9", "1").replace("ZONE", "US/Eastern")
    return _example_for(rule["match"])


def _example_for(pattern: str) -> str:
    examples = {
        "Can't find": "Can't find order with id = 20",
        "Order Message": "Order Message:\nBUY 1 AAPL NASDAQ.NMS\nWarning: Your order will not be "
        "placed at the exchange until 2026-08-25 09:30:00 US/Eastern.",
        "Order rejected": "Order rejected - reason:YOUR ORDER IS NOT ACCEPTED.",
        "limit price at or more": "Order Canceled - reason:We cannot accept an order at a limit "
        "price at or more aggressive than 300.9. Please submit your order closer.",
        "Order Canceled": "Order Canceled - reason:",
        "Invalid order type": "Error validating request.-'bC' : cause - Invalid order type was "
        "entered",
        "Missing order exchange": "Error validating request.-'bG' : cause - Missing order "
        "exchange.",
        "cannot be cancelled": "OrderId 348 that needs to be cancelled cannot be cancelled, "
        "state: Cancelled.",
        "Market data farm": "Market data farm connection is OK:usfarm",
        "HMDS data farm connection is OK": "HMDS data farm connection is OK:ushmds",
        "inactive but": "HMDS data farm connection is inactive but should be available upon "
        "demand.ushmds",
        "Sec-def": "Sec-def data farm connection is OK:secdefnj",
    }
    for key in sorted(examples, key=len, reverse=True):
        if key in pattern.replace("\\", ""):
            example = examples[key]
            assert re.fullmatch(pattern, example, re.DOTALL), (pattern, example)
            return example
    raise AssertionError(f"no example for {pattern!r}: add one")


# ---- the comparison, on synthetic traces ------------------------------------------------------
def _trace(*messages: Message, **options: Any) -> Trace:
    return Trace(
        name="synthetic", title="t", server_version=178, compare_at=178, sources=[], notes=[],
        confidence="inferred", classes=options.pop("classes", {}), messages=list(messages),
        **options,
    )


def _server(kind: str, optional: bool = False, **fields: Any) -> Message:
    return Message(SERVER, kind, fields, optional)


CANCEL = _trace(
    Message(CLIENT, "cancelOrder", {"orderId": "$o"}),
    _server("orderStatus", orderId="$o", status="PendingCancel", optional=True),
    _server("orderStatus", orderId="$o", status="Cancelled", permId="$p", filled=0),
    _server("error", reqId="$o", code=202, message="Order Canceled - reason:"),
)


def _status(status: str, order_id: int = 7, perm_id: int = 70, filled: Any = 0) -> tuple:
    return ("orderStatus", {"orderId": order_id, "status": status, "permId": perm_id,
                            "filled": filled})


def _error(code: int, req_id: int = 7, message: str = "Order Canceled - reason:") -> tuple:
    return ("error", {"reqId": req_id, "code": code, "message": message})


def test_identical_sequence_agrees_and_ids_are_not_compared() -> None:
    assert compare(CANCEL, [_status("Cancelled", 12, 999), _error(202, 12)]) is None


def test_optional_message_may_be_present_or_absent() -> None:
    with_pending = [_status("PendingCancel"), _status("Cancelled"), _error(202)]
    assert compare(CANCEL, with_pending) is None
    assert compare(CANCEL, with_pending[1:]) is None


def test_a_changed_field_is_the_first_difference() -> None:
    diff = compare(CANCEL, [_status("Cancelled", filled=1), _error(202)])
    assert diff is not None and diff.index == 0 and "filled" in diff.reason


def test_numbers_and_booleans_compare_as_tws_means_them() -> None:
    assert compare(CANCEL, [_status("Cancelled", filled="0.0"), _error(202)]) is None
    flag = _trace(_server("openOrder", **{"order.transmit": True}))
    assert compare(flag, [("openOrder", {"order.transmit": "1"})]) is None
    assert compare(flag, [("openOrder", {"order.transmit": "0"})]) is not None


def test_order_matters() -> None:
    diff = compare(CANCEL, [_error(202), _status("Cancelled")])
    assert diff is not None and diff.index == 0 and "kind" in diff.reason


def test_a_missing_message_and_an_extra_one_are_differences() -> None:
    missing = compare(CANCEL, [_status("Cancelled")])
    assert missing is not None and missing.reason == "missing error" and missing.index == 1
    extra = compare(CANCEL, [_status("Cancelled"), _error(202), _status("Cancelled")])
    assert extra is not None and extra.reason == "unexpected orderStatus" and extra.index == 2


def test_open_ends_skip_what_the_recording_does_not_cover() -> None:
    trace = _trace(_server("orderStatus", orderId="$o", status="Filled"),
                   open_start=True, open_end=True)
    observed = [_status("Submitted"), _status("Filled"), _status("Submitted", order_id=8)]
    assert compare(trace, observed) is None
    assert compare(_trace(*trace.messages), observed) is not None


def test_kinds_the_trace_does_not_use_and_farm_notices_are_ignored() -> None:
    observed = [("tickPrice", {"price": 1.0}), _error(2104, -1, "Market data farm ok"),
                _status("Cancelled"), ("commissionReport", {}), _error(202)]
    assert compare(CANCEL, observed) is None


def test_an_error_the_trace_does_not_expect_is_a_difference() -> None:
    diff = compare(CANCEL, [_status("Cancelled"), _error(10148)])
    assert diff is not None and "code" in diff.reason


def test_a_binding_must_name_the_same_id_each_time() -> None:
    diff = compare(CANCEL, [_status("Cancelled", order_id=7), _error(202, req_id=8)])
    assert diff is not None and "$o" in diff.reason


def test_an_id_bound_in_one_field_is_checked_in_another() -> None:
    """A bracket child's ocaGroup is its parent's permId."""
    bracket = _trace(_server("openOrder", orderId="$p", **{"order.permId": "$perm"}),
                     _server("openOrder", orderId="$c", **{"order.ocaGroup": "$perm"}))
    parent = ("openOrder", {"orderId": 1, "order.permId": 555})
    child = [parent, ("openOrder", {"orderId": 2, "order.ocaGroup": "555"})]
    assert compare(bracket, child) is None
    orphan = [parent, ("openOrder", {"orderId": 2, "order.ocaGroup": ""})]
    assert compare(bracket, orphan) is not None


def test_times_compare_by_format_not_value() -> None:
    fill = _trace(_server("execDetails", **{"execution.time": "20250415  19:38:31"}))
    assert compare(fill, [("execDetails", {"execution.time": "20261130  09:01:02"})]) is None
    zoned = compare(fill, [("execDetails", {"execution.time": "20261130 09:01:02 US/Eastern"})])
    assert zoned is not None and "execution.time" in zoned.reason
    assert time_shape("20230306 12:28:30 America/Los_Angeles") == "99999999 99:99:99 ZONE"


def test_prices_compare_by_being_set_or_unset() -> None:
    preview = _trace(_server("openOrder", **{"state.commission": 1.0003,
                                             "state.minCommission": "1.7976931348623157E308"}))
    unset_min = {"state.commission": 2.5, "state.minCommission": 1.7976931348623157e308}
    assert compare(preview, [("openOrder", unset_min)]) is None
    both_set = compare(preview, [("openOrder", {"state.commission": 2.5,
                                                "state.minCommission": 2.0})])
    assert both_set is not None and "minCommission" in both_set.reason


def test_rules_one_of_and_match() -> None:
    trace = _trace(_server("orderStatus", status={"one_of": ["PreSubmitted", "Submitted"]}),
                   _server("error", message={"match": r"Order rejected - reason:.+"}))
    ok = [("orderStatus", {"status": "Submitted"}),
          ("error", {"message": "Order rejected - reason:x"})]
    assert compare(trace, ok) is None
    bad = [("orderStatus", {"status": "Filled"}), ok[1]]
    assert compare(trace, bad) is not None


def test_a_trace_may_compare_a_field_the_defaults_ignore() -> None:
    trace = _trace(_server("completedOrder", **{"order.parentPermId": 9223372036854775807}),
                   classes={"order.parentPermId": ""})
    assert compare(trace, [("completedOrder", {"order.parentPermId": 0})]) is not None
    none = [("completedOrder", {"order.parentPermId": "9223372036854775807"})]
    assert compare(trace, none) is None


def test_client_side_can_be_compared_too() -> None:
    sent = [("cancelOrder", {"orderId": 3})]
    assert compare(CANCEL, sent, direction=CLIENT) is None
    assert compare(CANCEL, [("placeOrder", {})], direction=CLIENT) is not None


def test_compared_fields_leave_out_ids_times_and_prices() -> None:
    trace = load("mkt_fill")
    fill = next(m for m in trace.server_messages() if m.kind == "execDetails")
    compared = trace.compared_fields(fill)
    assert compared["execution.side"] == "BOT" and compared["execution.lastLiquidity"] == 2
    assert not {"orderId", "execution.execId", "execution.time", "execution.price"} & set(compared)


def test_difference_reads_in_words() -> None:
    diff = compare(CANCEL, [_status("Filled")])
    assert diff is not None
    assert "expected orderStatus" in str(diff) and "observed orderStatus" in str(diff)
