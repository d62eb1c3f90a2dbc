"""Publishing files into the output dir: atomically, and only when the bytes changed.

A reader fetching a feed while it is rewritten gets the old file or the new one, never half of
one: the new bytes go to a temporary file in the same directory, are fsynced, and replace the old
file with one rename; the directory is fsynced once at the end of a build. An unchanged file is
not touched (its mtime, and so its Last-Modified and ETag, stay).

Text files of 1 KiB or more also get a gzip twin (`all.atom.gz`, compressed once per change,
with no timestamp in it) for web servers that send precompressed files (nginx `gzip_static`).

A build killed between writing a temporary file and renaming it leaves that file behind (a
dotfile, never served); the next build deletes it. Kill points (crawler/killpoints.py) mark
both moments for the crash tests.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from isal import igzip

from crawler.killpoints import kill_point
from crawler.store.runs import pid_alive

GZIP_SUFFIXES = (".atom", ".rss", ".json", ".opml", ".html", ".xml")
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 3  # isal's highest
PUBLISH_THREADS = 4


class Publisher:
    """`force`: rewrite every file even when its bytes did not change (`vnfeeds build --full`:
    new mtimes, every file announced as changed).

    Files are compared, compressed and written by a few threads while the caller renders the
    next ones (compression and fsync release the GIL; a build spends most of its time there);
    `finish` waits for all of them, then fsyncs the directories. `written` lists the files in
    the order they were published."""

    def __init__(self, out_dir: Path, *, force: bool = False, threads: int = PUBLISH_THREADS):
        self.out = Path(out_dir)
        self.force = force
        self.written: list[str] = []
        self.unchanged = 0
        self._dirs: set[Path] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="publish")
        # At most this many files in memory waiting for a thread.
        self._slots = threading.BoundedSemaphore(threads * 4)
        self._jobs: list[tuple[str, Future[bool]]] = []

    def publish(self, rel_path: str, data: bytes) -> None:
        """Queue a file; its outcome is known after `finish`."""
        self._slots.acquire()
        try:
            future = self._pool.submit(self._publish, rel_path, data)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._jobs.append((rel_path, future))

    def _publish(self, rel_path: str, data: bytes) -> bool:
        target = self.out / rel_path
        twin = target.with_name(target.name + ".gz")
        wants_twin = target.suffix in GZIP_SUFFIXES and len(data) >= GZIP_MIN_BYTES
        try:
            if (
                not self.force
                and target.stat().st_size == len(data)
                and target.read_bytes() == data
            ):
                if wants_twin and not twin.exists():
                    self._write(twin, gzip_bytes(data))
                return False
        except FileNotFoundError:
            pass
        # The twin first: a server that prefers it never sends an older twin of a newer file
        # for longer than the rename between the two.
        if wants_twin:
            self._write(twin, gzip_bytes(data))
        else:
            twin.unlink(missing_ok=True)
        self._write(target, data)
        kill_point("publish.file_done")
        return True

    def _write(self, target: Path, data: bytes) -> None:
        write_atomic(target, data, sync_dir=False)
        with self._lock:
            self._dirs.add(target.parent)

    def finish(self) -> None:
        """Wait for every queued file (raising the first error), then fsync the directories."""
        try:
            for rel_path, future in self._jobs:
                if future.result():
                    self.written.append(rel_path)
                else:
                    self.unchanged += 1
        finally:
            self._jobs.clear()
            self._pool.shutdown(wait=True)
        for directory in sorted(self._dirs):
            fsync_dir(directory)
        self._dirs.clear()
        sweep_temp_files(self.out)


def gzip_bytes(data: bytes) -> bytes:
    """The gzip twin of a file: no timestamp (same bytes, same twin), ISA-L at its best level
    (10 to 20 times faster than zlib at level 9 here, twins about a quarter larger)."""
    return igzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


# ".<target name>.<pid of the writer>.<random>.tmp", see write_atomic.
_TEMP_NAME = re.compile(r"\.(?P<target>.+)\.(?P<pid>[0-9]+)\.[a-z0-9_]+\.tmp")


def sweep_temp_files(out_dir: Path) -> list[Path]:
    """Delete the temporary files of writers that died before their rename (kill -9 during a
    build): they are never served (dotfiles), but would pile up. A live writer's are kept."""
    removed = []
    for path in Path(out_dir).rglob(".*.tmp"):
        m = _TEMP_NAME.fullmatch(path.name)
        if m is None or pid_alive(int(m["pid"])):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(target: Path, data: bytes, *, sync_dir: bool = True) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        kill_point("publish.tmp_written")
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if sync_dir:
        fsync_dir(target.parent)
