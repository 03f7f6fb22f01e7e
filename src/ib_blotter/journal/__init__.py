"""The journal: every fill and what led to it, in a private SQLite file, and its export.

Pure Python over sqlite3: imports neither Textual nor ib_async nor sockets.
"""

from .backlog import Backlog
from .journal import Journal, JournalError, JournalEvent

__all__ = ["Backlog", "Journal", "JournalError", "JournalEvent"]
