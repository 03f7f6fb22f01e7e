"""IB's codes in plain words."""

from __future__ import annotations

import pytest

from ib_blotter.state.ib_messages import describe, kind
from ib_blotter.state.records import LogKind


@pytest.mark.parametrize(
    ("code", "text", "sentence"),
    [
        (
            201,
            "Order rejected - reason:Not enough buying power",
            "201 Order rejected: Not enough buying power",
        ),
        (202, "Order Canceled - reason:", "202 Order cancelled"),
        (103, "Duplicate order id", "103 Duplicate order id"),
        (
            110,
            "The price does not conform to the minimum price variation for this contract.",
            "110 Price is not on the contract's tick grid",
        ),
        (200, "No security definition has been found for the request", "200 No such contract"),
        (
            10148,
            "OrderId 12 that needs to be cancelled cannot be cancelled, state: Filled.",
            "10148 Cancel failed: order can't be cancelled: "
            "OrderId 12 that needs to be cancelled cannot be cancelled, state: Filled.",
        ),
        (2104, "Market data farm connection is OK:usfarm", "2104 Market data farm OK: usfarm"),
        (
            1100,
            "Connectivity between IB and Trader Workstation has been lost.",
            "1100 Connection between TWS and IB lost",
        ),
        (
            326,
            "Unable to connect as the client id is already in use.",
            "326 Client id already in use",
        ),
        (9999, "Something   new\nfrom IB", "9999 Something new from IB"),
    ],
)
def test_plain_sentences(code, text, sentence):
    assert describe(code, text) == sentence


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (201, LogKind.ERROR),
        (110, LogKind.WARNING),
        (2104, LogKind.INFO),
        (2106, LogKind.INFO),
        (2158, LogKind.INFO),
        (2137, LogKind.WARNING),  # IB's warning band
        (1100, LogKind.CONNECTION),
        (502, LogKind.CONNECTION),
        (504, LogKind.CONNECTION),
        (100, LogKind.ERROR),
        (10349, LogKind.INFO),
        (12345, LogKind.ERROR),
    ],
)
def test_how_loud_each_code_is(code, expected):
    assert kind(code) is expected
