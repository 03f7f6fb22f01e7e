"""Fuzzing every parser we own: no input crashes one except with its documented error.

- sim/wire.py: FrameReader raises ProtocolError; read_float/read_int/read_bool raise ValueError;
  FieldCursor raises ProtocolError.
- sim/incoming.py parsers and the session's handshake readers raise ProtocolError.
- state/ticket.validate never raises: it says what is wrong.
- config loading raises ConfigError.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ib_blotter.config import ConfigError, Settings, load_config, settings_from
from ib_blotter.sim import incoming
from ib_blotter.sim.session import Session, _start_api_client_id
from ib_blotter.sim.wire import (
    FieldCursor,
    FrameReader,
    ProtocolError,
    frame,
    read_bool,
    read_float,
    read_int,
)
from ib_blotter.state.ticket import ORDER_TYPES, TIFS, ContractSpec, Ticket, validate

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
# Field text as clients write it, and worse: numbers, unset markers, infinities, junk.
NUMBERISH = st.sampled_from([
    "", "0", "1", "-1", "1.5", "1e999", "-1e999", "nan", "inf", "-inf", "Infinite", "Infinity",
    "1.7976931348623157e+308", "2147483647", "9223372036854775808", "None", "True", "0x10",
    "1_000", " 1", "\u0661", "1e", ".", "-", "1.2.3",
])
FIELD = st.one_of(NUMBERISH, st.text(max_size=12))
FIELDS = st.lists(FIELD, max_size=40)


# ---- wire framing ------------------------------------------------------------------------

@FUZZ
@given(data=st.binary(max_size=300), cut=st.integers(0, 300))
@example(data=b"\x00\x00\x00\x03\xff\xfe\x00", cut=2)
@example(data=b"\xff\xff\xff\xff", cut=0)
def test_frame_reader_raises_only_protocol_errors(data: bytes, cut: int) -> None:
    reader = FrameReader(max_frame=200)
    try:
        reader.feed(data[:cut])
        messages = reader.feed(data[cut:])
    except ProtocolError:
        return
    assert all(isinstance(f, str) for m in messages for f in m)


@FUZZ
@given(messages=st.lists(st.lists(st.text().filter(lambda t: "\0" not in t), max_size=8),
                         max_size=5),
       chunk=st.integers(1, 64))
def test_frames_round_trip_in_any_chunking(messages: list[list[str]], chunk: int) -> None:
    data = b"".join(frame(m) for m in messages)
    reader = FrameReader()
    got: list[list[str]] = []
    for start in range(0, len(data), chunk):
        got += reader.feed(data[start:start + chunk])
    assert got == messages


@FUZZ
@given(text=st.one_of(NUMBERISH, st.text(max_size=30)))
@example(text="1e999")
@example(text="nan")
@example(text="inf")
def test_field_readers_raise_only_value_errors(text: str) -> None:
    for read in (read_float, read_int, read_bool):
        with contextlib.suppress(ValueError):
            read(text)
    cursor = FieldCursor([text, text, text])
    for method in (cursor.float, cursor.int, cursor.bool):
        with contextlib.suppress(ProtocolError):
            method()


# ---- request parsers and the handshake ---------------------------------------------------

PARSERS: list[Callable[[list[str]], Any]] = [
    fn for name, fn in inspect.getmembers(incoming, inspect.isfunction)
    if name.startswith("parse_") and name != "parse_contract"
]
PARSER_IDS = {
    incoming.parse_place_order: incoming.PLACE_ORDER,
    incoming.parse_cancel_order: incoming.CANCEL_ORDER,
    incoming.parse_req_contract_details: incoming.REQ_CONTRACT_DATA,
    incoming.parse_req_mkt_data: incoming.REQ_MKT_DATA,
    incoming.parse_req_executions: incoming.REQ_EXECUTIONS,
    incoming.parse_start_api: incoming.START_API,
}


def test_every_parser_is_fuzzed() -> None:
    assert len(PARSERS) >= 20


@pytest.mark.parametrize("parse", PARSERS, ids=lambda fn: fn.__name__)
@FUZZ
@given(fields=FIELDS, right_id=st.booleans())
def test_request_parsers_raise_only_protocol_errors(
    parse: Callable[[list[str]], Any], fields: list[str], right_id: bool
) -> None:
    if right_id:  # most of the time the id is right and the body is what is broken
        msg_id = PARSER_IDS.get(parse) or _msg_id_of(parse)
        fields = [str(msg_id), *fields]
    with contextlib.suppress(ProtocolError):
        parse(fields)


def _msg_id_of(parse: Callable[[list[str]], Any]) -> int:
    """The id a parser expects, read from its ProtocolError on an empty-bodied message."""
    for msg_id in range(0, 120):
        try:
            parse([str(msg_id)])
        except ProtocolError as exc:
            if "expected message" not in str(exc):
                return msg_id
        else:
            return msg_id
    return 0


@FUZZ
@given(place=st.lists(FIELD, min_size=100, max_size=130))
def test_a_long_place_order_of_junk_raises_only_protocol_errors(place: list[str]) -> None:
    with contextlib.suppress(ProtocolError):
        incoming.parse_place_order(["3", *place])


@FUZZ
@given(version=st.text(max_size=30), start=FIELDS)
@example(version="v1..", start=["71", "2", "1e999"])
def test_handshake_readers_raise_only_protocol_errors(version: str, start: list[str]) -> None:
    with contextlib.suppress(ProtocolError):
        Session._version_ok(version)
    with contextlib.suppress(ProtocolError):
        _start_api_client_id(start)


# ---- the order ticket --------------------------------------------------------------------

TEXT = st.one_of(NUMBERISH, st.text(max_size=20))
TICKETS = st.builds(
    Ticket, symbol=TEXT, side=st.one_of(TEXT, st.sampled_from(["BUY", "SELL"])),
    quantity=TEXT, order_type=st.one_of(TEXT, st.sampled_from(ORDER_TYPES)), limit=TEXT,
    stop=TEXT, trail_amount=TEXT, trail_percent=TEXT,
    tif=st.one_of(TEXT, st.sampled_from(TIFS)), gtd=TEXT, account=TEXT,
    outside_rth=st.booleans(), take_profit=TEXT, stop_loss=TEXT, oca_group=TEXT,
    algo=st.one_of(TEXT, st.sampled_from(["", "Adaptive", "Twap", "Vwap"])),
    algo_params=st.lists(st.tuples(TEXT, TEXT), max_size=3).map(tuple),
)
SPECS = st.builds(
    ContractSpec, min_tick=st.one_of(st.just(0.0), st.floats(1e-8, 1000)),
    order_types=st.frozensets(st.sampled_from(ORDER_TYPES)),
    tifs=st.frozensets(st.sampled_from(TIFS)), multiplier=st.floats(0.001, 1e6),
    size_increment=st.one_of(st.just(0.0), st.floats(1e-6, 1000)),
    min_size=st.one_of(st.just(0.0), st.floats(1e-6, 1000)), algos=st.booleans(),
)


@FUZZ
@given(ticket=TICKETS, spec=SPECS, accounts=st.lists(TEXT, max_size=3))
def test_validate_never_raises(ticket: Ticket, spec: ContractSpec, accounts: list[str]) -> None:
    errors = validate(ticket, spec, accounts=accounts)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in errors.items())


# ---- config ------------------------------------------------------------------------------

KEYS = st.sampled_from(["host", "port", "client_id", "account", "readonly", "linger",
                        "retry_every", "log_file", "journal_file", "seed", "pace", "nonsense"])
VALUES = st.recursive(
    st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=False), st.booleans(),
              st.text(max_size=10)),
    lambda inner: st.lists(inner, max_size=3), max_leaves=5,
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "inf" if math.isinf(value) and value > 0 else "-inf" if math.isinf(value) \
            else repr(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


@FUZZ
@given(tables=st.dictionaries(st.sampled_from(["connection", "app", "sim", "limits", "other"]),
                              st.dictionaries(KEYS, VALUES, max_size=4), max_size=3))
def test_config_values_load_or_raise_config_error(tables: dict[str, dict[str, object]]) -> None:
    text = "".join(f"[{name}]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in body.items())
                   for name, body in tables.items())
    _load_or_config_error(text.encode())


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
@example(raw=b"\xff\xfe[app]")
@example(raw=b"app = 1")
@example(raw=b"[app]\nlinger = nan")
def test_any_config_file_loads_or_raises_config_error(raw: bytes) -> None:
    _load_or_config_error(raw)


def _load_or_config_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "config.toml"
        path.write_bytes(raw)
        try:
            settings_ = settings_from(load_config(path), {})
        except ConfigError:
            return
    assert isinstance(settings_, Settings)
