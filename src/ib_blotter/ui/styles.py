"""Where the .tcss files are: inside the installed package, or styles/ in a source checkout."""

from __future__ import annotations

from pathlib import Path

STYLESHEET = "blotter.tcss"


def styles_dir() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "styles"  # the wheel puts them here
    if (packaged / STYLESHEET).is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "styles"  # src/ib_blotter/ui -> repo root


def stylesheet() -> str:
    return str(styles_dir() / STYLESHEET)
