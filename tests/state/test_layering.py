"""The state package stays pure: no Textual, no ib_async, no sockets."""

from __future__ import annotations

import os
import subprocess
import sys

IMPORT_ALL_OF_STATE = """
import importlib, pkgutil, sys
import ib_blotter.state as state
for module in pkgutil.iter_modules(state.__path__):
    importlib.import_module(f"{state.__name__}.{module.name}")
print(sorted(n for n in ("textual", "ib_async", "socket", "asyncio") if n in sys.modules))
"""


def test_the_state_package_imports_no_ui_no_ib_and_no_sockets():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_OF_STATE],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )

    assert done.stdout.strip() == "[]"
