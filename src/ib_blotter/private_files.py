"""Files that name the account (journal, log, exports) are the user's alone: 0600 in 0700."""

from __future__ import annotations

import os
from pathlib import Path


def open_private(path: Path, flags: int) -> int:
    """os.open with O_CREAT, the file made (or made again) 0600; a missing folder made 0700."""
    directory = path.parent
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    fd = os.open(path, flags | os.O_CREAT, 0o600)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, 0o600)  # an older file, or one made by hand: ours alone now
    return fd
