"""Publishing files into the output dir: atomically, and only when the bytes changed.

A reader fetching a feed while it is rewritten gets the old file or the new one, never half of
one: the new bytes go to a temporary file in the same directory, are fsynced, and replace the old
file with one rename; the directory is fsynced once at the end of a build. An unchanged file is
not touched (its mtime, and so its Last-Modified and ETag, stay).

Text files of 1 KiB or more also get a gzip twin (`all.atom.gz`, compressed once per change,
with no timestamp in it) for web servers that send precompressed files (nginx `gzip_static`).
A feed's twin is compressed part by part (its head, each entry, its tail; `segmented_gzip`), so
that the next build compresses only the parts that changed and copies the others' compressed
bytes from the previous twin.

A build killed between writing a temporary file and renaming it leaves that file behind (a
dotfile, never served); the next build deletes it. Kill points (crawler/killpoints.py) mark
both moments for the crash tests.
"""

from __future__ import annotations

import os
import queue
import re
import struct
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from isal import igzip, isal_zlib

from crawler.killpoints import kill_point
from crawler.store.runs import pid_alive

GZIP_SUFFIXES = (".atom", ".rss", ".json", ".opml", ".html", ".xml")
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 3  # isal's highest
PUBLISH_THREADS = 4
# How far back a compressed part may refer (deflate allows 32 KiB). A build compresses again the
# entries that follow new ones within this distance: with 8 KiB, some 8 parts of a changed feed
# (32 KiB: 12); twins are 10 % larger than whole-file gzip (bench/BENCH.md, 1,785 feeds).
WINDOW = 8192

Part = bytes | memoryview


@dataclass
class PreviousTwin:
    """A feed's previous file and twin as the build that wrote them recorded them: the parts'
    offsets in the file, the compressed parts' offsets in the twin, and for the parts of the
    new file, which part of the old one may be the same (`candidates`: new index -> old)."""

    data: bytes
    twin: bytes
    parts: list[int]  # lengths of the file's parts
    segments: list[int]  # lengths of the twin's compressed parts
    candidates: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.part_at = _offsets(self.parts, 0)
        self.segment_at = _offsets(self.segments, len(_GZIP_HEADER))


@dataclass
class Record:
    """What a build keeps of a feed file it published, for the next one (see PreviousTwin)."""

    size: int
    crc: int
    parts: list[int]
    twin: list[int] | None = None  # [size, crc, compressed part lengths...]


def _offsets(lengths: Sequence[int], start: int) -> list[int]:
    out = []
    for length in lengths:
        out.append(start)
        start += length
    return out


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
        self.records: dict[str, Record] = {}
        self._closer = _Closer()

    def publish(
        self,
        rel_path: str,
        data: bytes,
        *,
        parts: Sequence[Part] | None = None,
        previous: PreviousTwin | None = None,
    ) -> None:
        """Queue a file; its outcome is known after `finish`. `parts`: the file in parts (a
        feed: head, entries, tail) whose twin is compressed part by part, reusing what it can
        of `previous`; `records` then holds what the next build needs of it."""
        self._slots.acquire()
        try:
            future = self._pool.submit(self._publish, rel_path, data, parts, previous)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._jobs.append((rel_path, future))

    def _publish(
        self,
        rel_path: str,
        data: bytes,
        parts: Sequence[Part] | None,
        previous: PreviousTwin | None,
    ) -> bool:
        target = self.out / rel_path
        twin = target.with_name(target.name + ".gz")
        wants_twin = target.suffix in GZIP_SUFFIXES and len(data) >= GZIP_MIN_BYTES
        record = None
        if parts is not None:
            record = Record(len(data), isal_zlib.crc32(data), [len(p) for p in parts])

        def compressed() -> bytes:
            if parts is None:
                return gzip_bytes(data)
            packed, segments = segmented_gzip(data, parts, previous)
            assert record is not None
            record.twin = [len(packed), isal_zlib.crc32(packed), *segments]
            return packed

        try:
            if not self.force and target.stat().st_size == len(data) and read_file(target) == data:
                if wants_twin and (not twin.exists() or (parts is not None and previous is None)):
                    # A missing twin, or one this build cannot vouch for: written again.
                    self._write(twin, compressed())
                elif wants_twin and previous is not None and record is not None:
                    record.twin = [len(previous.twin), isal_zlib.crc32(previous.twin)]
                    record.twin += previous.segments
                self._record(rel_path, record)
                return False
        except FileNotFoundError:
            pass
        # The twin first: a server that prefers it never sends an older twin of a newer file
        # for longer than the rename between the two.
        if wants_twin:
            self._write(twin, compressed())
        else:
            twin.unlink(missing_ok=True)
        self._write(target, data)
        self._record(rel_path, record)
        kill_point("publish.file_done")
        return True

    def _record(self, rel_path: str, record: Record | None) -> None:
        if record is not None:
            with self._lock:
                self.records[rel_path] = record

    def _write(self, target: Path, data: bytes) -> None:
        known = target.parent in self._dirs
        # The file replaced is held open across the rename and let go by the closer thread:
        # the rename then does not free its blocks itself (the last close does), which made
        # renames wait on the journal as long as the fsyncs did.
        old = _open_to_hold(target)
        try:
            write_atomic(target, data, sync_dir=False, make_dir=not known)
        finally:
            if old is not None:
                self._closer.close(old)
        if not known:
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
            self._closer.finish()
        for directory in sorted(self._dirs):
            fsync_dir(directory)
        self._dirs.clear()
        sweep_temp_files(self.out)


def _open_to_hold(path: Path) -> int | None:
    """A read-only descriptor of the file at `path` (None when there is none)."""
    try:
        return _open_read(path)
    except OSError:
        return None


class _Closer:
    """Closes file descriptors from a thread of its own (started on the first one): the last
    close of a replaced file frees its blocks, a journal transaction the publishing threads
    need not wait for. At most `LIMIT` wait, so a build never runs out of descriptors."""

    LIMIT = 64

    def __init__(self) -> None:
        self._queue: queue.Queue[int | None] = queue.Queue(maxsize=self.LIMIT)
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def close(self, fd: int) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="publish-closer", daemon=True
                    )
                    self._thread.start()
        self._queue.put(fd)

    def _run(self) -> None:
        while (fd := self._queue.get()) is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def finish(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


# A gzip member: no file name, no timestamp, "unknown" OS; then raw deflate, CRC-32 and size.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def _deflate(part: bytes, before: bytes, final: bool) -> bytes:
    """A part as raw deflate that refers back only to `before` (the document's last 32 KiB
    preceding it) and ends on a byte boundary: its bytes depend on nothing else, so they can be
    copied into another twin where the same part follows the same 32 KiB."""
    if len(before):
        c = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, -15, zdict=before)
    else:
        c = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, -15)
    return c.compress(part) + c.flush(isal_zlib.Z_FINISH if final else isal_zlib.Z_SYNC_FLUSH)


def segmented_gzip(
    data: bytes, parts: Sequence[Part], previous: PreviousTwin | None = None
) -> tuple[bytes, list[int]]:
    """The gzip twin of `data` (= the parts joined), one deflate segment per part, and the
    segments' lengths. A part is copied from `previous` when its candidate there has the same
    bytes, the same WINDOW bytes before it, and the same place (last or not).

    The parts are taken in runs: consecutive parts whose candidates are consecutive, with the
    same lengths. A run's bytes are compared at once (bytes compare by memcmp; memoryviews
    item by item, 40 times slower); in a run that is the same, the parts whose WINDOW bytes
    before differ are compressed again, until one's are the same: from there on, each part's
    window lies in the run, and the run's compressed parts are copied as one block."""
    out: list[Part] = [_GZIP_HEADER]
    lengths: list[int] = []
    sizes = [len(part) for part in parts]
    starts = _offsets(sizes, 0)
    last = len(parts) - 1
    candidates = previous.candidates if previous is not None else {}
    old_last = len(previous.parts) - 1 if previous is not None else -1

    def fresh(n: int) -> None:
        at = starts[n]
        segment = _deflate(data[at : at + sizes[n]], data[max(0, at - WINDOW) : at], n == last)
        out.append(segment)
        lengths.append(len(segment))

    i = 0
    while i <= last:
        j = candidates.get(i)
        if previous is None or j is None or previous.parts[j] != sizes[i]:
            fresh(i)
            i += 1
            continue
        k = i  # the run: parts i..k, candidates j..j + k - i
        while (
            k < last
            and j + k + 1 - i <= old_last
            and candidates.get(k + 1) == j + k + 1 - i
            and previous.parts[j + k + 1 - i] == sizes[k + 1]
        ):
            k += 1
        at, old_at = starts[i], previous.part_at[j]
        length = starts[k] + sizes[k] - at
        if previous.data[old_at : old_at + length] != data[at : at + length]:
            for n in range(i, k + 1):  # not the same bytes (a build never asks for this)
                fresh(n)
            i = k + 1
            continue
        n = i
        while n <= k:
            at_n, old_n = starts[n], previous.part_at[j + n - i]
            if at_n - at >= WINDOW:
                break  # its window lies in the run
            if previous.data[max(0, old_n - WINDOW) : old_n] == data[max(0, at_n - WINDOW) : at_n]:
                break
            fresh(n)
            n += 1
        # The last part of a twin is its final deflate block: copied only to the same place.
        end = k if (k == last) == (j + k - i == old_last) else k - 1
        if n <= end:
            first, final = j + n - i, j + end - i
            block_at = previous.segment_at[first]
            block_end = previous.segment_at[final] + previous.segments[final]
            out.append(memoryview(previous.twin)[block_at:block_end])
            lengths.extend(previous.segments[first : final + 1])
        for m in range(max(n, end + 1), k + 1):
            fresh(m)
        i = k + 1
    out.append(struct.pack("<II", isal_zlib.crc32(data), len(data) & 0xFFFFFFFF))
    return b"".join(out), lengths


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


_NOATIME = getattr(os, "O_NOATIME", 0)


def _open_read(path: Path) -> int:
    """A read-only descriptor that does not update the file's access time when it can."""
    try:
        return os.open(path, os.O_RDONLY | _NOATIME)
    except PermissionError:  # O_NOATIME needs the file's owner
        return os.open(path, os.O_RDONLY)


def read_file(path: Path) -> bytes:
    """A file's bytes, read without updating its access time: reading the previous build's
    files then writes no inode, so it never waits behind the journal commits of the fsyncs
    running beside it."""
    fd = _open_read(path)
    try:
        size = os.fstat(fd).st_size
        chunks = []
        while True:
            chunk = os.read(fd, max(size, 65536))
            if not chunk:
                break
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def _temp_file(target: Path) -> tuple[int, str]:
    """A new temporary file beside `target` (see `_TEMP_NAME`), open for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = f"{target.parent}/.{target.name}.{os.getpid()}.{os.urandom(5).hex()}.tmp"
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:  # pragma: no cover - 40 random bits
            continue


def write_atomic(
    target: Path, data: bytes, *, sync_dir: bool = True, make_dir: bool = True
) -> None:
    """Replace `target` with `data` in one rename, after an fsync. `make_dir`: create the
    directory first (a caller that knows it exists skips the syscall)."""
    if make_dir:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_file(target)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, 0o644)
            os.fsync(fd)
        finally:
            os.close(fd)
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
