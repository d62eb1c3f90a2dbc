"""Named kill points: places where a crash test SIGKILLs the process, proven reached.

The crash tests (tests/test_crash.py) need kill -9 to land at exact moments (inside a write
batch, between two batches, after a feed's temporary file is written but before its rename, in
the middle of a migration), not wherever a timer happens to fire. Code marks such a moment with
`kill_point("store.batch.mid")`. With `VNFEEDS_KILL_AT` unset, which is always the case outside
those tests, a call is one dictionary lookup.

`VNFEEDS_KILL_AT=<name>` kills the process the first time it reaches the point `<name>`;
`<name>@<n>` the n-th time (counted per process). Before dying, the process appends one line,
`<name>@<n> pid=<pid>`, to the file named by `VNFEEDS_KILL_MARKER` (fsynced), so a test can tell
"killed where asked" from "died of something else" or "never got there". Passages are counted
across the process's threads, and a thread that reaches the point while it fires waits there;
other threads run on until the signal lands (in the publisher, each may finish the step it was
in).
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

KILL_ENV = "VNFEEDS_KILL_AT"
MARKER_ENV = "VNFEEDS_KILL_MARKER"

# The kill points of the code base, for tests and the reliability report to list.
POINTS = {
    "store.batch.mid": "a write batch's transaction is open and its first article is written",
    "store.batch.commit": "every row of a write batch is written, COMMIT not yet sent",
    "store.batch.committed": "a write batch is committed, the next one not begun",
    "schema.migration.applied": "a migration's statements ran, its version not yet recorded",
    "schema.migration.committed": "a migration is committed, the next one not begun",
    "publish.tmp_written": "a published file's temporary copy is written and fsynced, not renamed",
    "publish.file_done": "a published file is renamed into place, the next one not begun",
}

_reached: Counter[str] = Counter()
# Passages are counted across threads (the publisher writes files from several).
_lock = threading.Lock()


def kill_point(name: str) -> None:
    """SIGKILL this process here when `VNFEEDS_KILL_AT` names this point (and this passage)."""
    wanted = os.environ.get(KILL_ENV)
    if not wanted:
        return
    target, _, nth = wanted.partition("@")
    if target != name:
        return
    # The lock is held to the end: another thread reaching this point meanwhile waits here and
    # dies here, so no passage is counted after the one that kills.
    with _lock:
        _reached[name] += 1
        passage = _reached[name]
        if passage != (int(nth) if nth else 1):
            return
        marker = os.environ.get(MARKER_ENV)
        if marker:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, f"{name}@{passage} pid={os.getpid()}\n".encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)
