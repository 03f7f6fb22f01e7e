"""Files that name the account (journal, log, exports) are the user's alone: 0600 in 0700.

Only regular files: a device, a fifo or a directory named as one (`--output /dev/full`) is
refused before it is opened, and never chmodded (0600 on /dev/null breaks it for everyone).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class PrivateFileError(OSError):
    """The path names something other than a regular file; the text says what."""


def open_private(path: Path, flags: int) -> int:
    """os.open with O_CREAT, the file made (or made again) 0600; missing folders made 0700."""
    refuse_unless_regular(path)
    make_private_dirs(path.parent)
    # O_NONBLOCK: a fifo put there since the check must not hang the open (it fails instead).
    fd = os.open(path, flags | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise PrivateFileError(_not_regular(path, mode))
        os.set_blocking(fd, True)
        if mode & 0o077:
            os.fchmod(fd, 0o600)  # an older file, or one made by hand: ours alone now
    except BaseException:
        os.close(fd)
        raise
    return fd


def refuse_unless_regular(path: Path) -> None:
    """Raise PrivateFileError when `path` (or what it links to) exists and is not a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise PrivateFileError(_not_regular(path, mode))


def make_private_dirs(directory: Path) -> None:
    """Make `directory` and each missing parent 0700, whatever the umask (mkdir(parents=True)
    gives the mode to the last one only, and the umask filters even that)."""
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs, its mode left alone
        os.chmod(made, 0o700)


def why_not(exc: OSError) -> str:
    """Why a private file cannot be written, as a sentence for the command line."""
    if isinstance(exc, PrivateFileError) or exc.filename is None:
        return str(exc)
    return f"cannot write {exc.filename}: {exc.strerror}"


def _not_regular(path: Path, mode: int) -> str:
    return f"{path} is {_kind(mode)}, not a regular file: refusing to write account data there"


def _kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device", stat.S_ISFIFO: "a fifo", stat.S_ISSOCK: "a socket"}
    return next((name for test, name in kinds.items() if test(mode)), "something else")
