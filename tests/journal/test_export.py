"""`ib-blotter export`: fills for a time range as CSV or JSON, without breaking the app's CLI."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ib_blotter import cli
from ib_blotter.config import default_journal_path
from ib_blotter.journal import Journal
from ib_blotter.journal.export import parse_moment

from .test_journal import fill

DAY = datetime(2024, 5, 2, tzinfo=UTC).astimezone().replace(hour=0)  # local midnight, May 2


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.record_fill(fill("may1.01", at=(DAY - timedelta(hours=2)).astimezone(UTC)))
        journal.record_fill(fill("may2-open.01", at=(DAY + timedelta(hours=9, minutes=31))
                                 .astimezone(UTC), commission=1.0))
        journal.record_fill(fill("may2-close.01", at=(DAY + timedelta(hours=15, minutes=59))
                                 .astimezone(UTC), price=188.25))
        journal.record_fill(fill("may3.01", at=(DAY + timedelta(days=1, hours=10))
                                 .astimezone(UTC)))
    return path


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    return int(stopped.value.code or 0)


def test_csv_for_one_day_to_stdout(journal_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["export", "--journal", str(journal_path), "--from", "2024-05-02",
                "--to", "2024-05-02", "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["exec_id"] for r in rows] == ["may2-open.01", "may2-close.01"]
    assert rows[0]["commission"] == "1.0" and rows[1]["commission"] == ""
    assert rows[1]["price"] == "188.25" and rows[0]["account"] == "DU1234567"
    assert "2 fills" in err


def test_json_for_a_time_range_to_a_private_file(journal_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "fills.json"
    code = run(["export", "--journal", str(journal_path), "--from", "2024-05-02T09:00",
                "--to", "2024-05-02T12:00", "--format", "json", "--output", str(output)])
    assert code == 0
    records = json.loads(output.read_text())
    assert [r["exec_id"] for r in records] == ["may2-open.01"]
    assert datetime.fromisoformat(records[0]["time"]).tzinfo is not None
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_the_journal_named_in_the_config_is_used(journal_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[app]\njournal_file = "{journal_path}"\n')
    assert run(["export", "--config", str(config), "--from", "2024-05-01",
                "--to", "2024-05-03"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 4


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "yesterday"], "not a date"),
    (["--from", "2024-05-03", "--to", "2024-05-02"], "before"),
])
def test_bad_times_are_refused_with_a_reason(journal_path: Path, argv: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["export", "--journal", str(journal_path), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_journal_is_an_error_not_an_empty_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["export", "--journal", str(tmp_path / "none.sqlite")]) == 1
    assert "no journal" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


def test_the_app_options_still_parse() -> None:
    args = cli.parse_args(["--sim", "--journal", "/tmp/j.sqlite", "--readonly"])
    settings = cli.build_settings(args)
    assert settings.sim and settings.readonly
    assert settings.journal_file == Path("/tmp/j.sqlite")


def test_a_date_alone_ends_at_the_end_of_that_day() -> None:
    assert parse_moment("2024-05-02", end=True).hour == 23
    assert parse_moment("2024-05-02").hour == 0
    assert parse_moment("2024-05-02T13:30+00:00").utcoffset() == timedelta(0)


def test_sim_fills_have_their_own_journal(capsys: pytest.CaptureFixture[str]) -> None:
    """Paper fills of --sim never land in the real journal's export."""
    with Journal(default_journal_path(simulated=True)) as journal:
        journal.record_fill(fill("paper.01", at=datetime.now(UTC)))
    assert run(["export", "--sim"]) == 0
    assert "paper.01" in capsys.readouterr().out
    assert run(["export"]) == 1  # no real journal at all
