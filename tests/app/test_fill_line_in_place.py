"""In the execution log a fill's commission completes the fill's own line, where it stands."""

from __future__ import annotations

from datetime import UTC, datetime

from ib_blotter.state.records import LogKind, LogLine

from .demo import demo_app

AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


async def test_a_completed_line_replaces_its_first_reading() -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        log = app.blotter.exec_log
        log.add(LogLine(AT, LogKind.FILL, "BOT 1 X @ 1.00, commission to come", key="k1"))
        log.add(LogLine(AT, LogKind.INFO, "then something else"))
        await pilot.pause()
        before = len(log.lines_written)
        log.complete(LogLine(AT, LogKind.FILL, "BOT 1 X @ 1.00, commission 1.00 USD", key="k1"))
        await pilot.pause()
        lines = log.lines_written
        assert len(lines) == before
        assert "commission 1.00 USD" in lines[-2] and "then something else" in lines[-1]
        assert not [line for line in lines if "X @ 1.00, commission to come" in line]
