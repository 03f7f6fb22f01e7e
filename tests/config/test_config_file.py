"""A config file that can't mislead: every section and key is known, every value is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ib_blotter.config import ConfigError, load_config, settings_from


def settings_of(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text)
    return settings_from(load_config(path), {})


@pytest.mark.parametrize(("text", "named"), [
    ("readonly = true\n", "readonly"),
    ("[conection]\nreadonly = true\n", "conection"),
    ("[app]\nreadonly = true\n", "readonly"),
    ("[limits]\nreadonly = true\n", "readonly"),
    ("[sim]\nreadonly = true\n", "readonly"),
    ("port = 4002\n", "port"),
    ("[connection]\nport = 4002\n[extra]\nx = 1\n", "extra"),
], ids=["top-level", "misspelt-section", "app", "limits", "sim", "top-level-port", "extra"])
def test_readonly_or_anything_in_the_wrong_place_is_an_error(tmp_path: Path, text: str,
                                                             named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        settings_of(tmp_path, text)


@pytest.mark.parametrize("text", [
    "[connection]\nport = 0\n",
    "[connection]\nport = 70000\n",
    "[connection]\nconnect_timeout = 0\n",
    "[app]\nretry_every = 0\n",
    "[app]\nretry_every = -1\n",
    "[app]\nlinger = -1\n",
    "[limits]\nmax_order_size = -1\n",
    "[limits]\nmax_order_value = -5.0\n",
    "[limits]\nmax_deviation_percent = -1\n",
    "[limits]\nmax_deviation_ticks = -2\n",
    "[connection]\nclient_id = -1\n",
])
def test_values_out_of_range_are_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        settings_of(tmp_path, text)


def test_readonly_in_its_section_is_taken(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, "[connection]\nreadonly = true\nport = 4002\n"
                                     "[limits]\nmax_order_size = 0\n")
    assert settings.readonly and settings.port == 4002 and settings.max_order_size == 0
