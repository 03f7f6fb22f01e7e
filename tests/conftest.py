"""Test-wide settings: no animations, so screens and snapshots are the same on every run."""

import os

os.environ["TEXTUAL_ANIMATIONS"] = "none"
