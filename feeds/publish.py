"""Publishing files into the output dir: atomically, and only when the bytes changed.

A reader fetching a feed while it is rewritten gets the old file or the new one, never half of
one: the new bytes go to a temporary file in the same directory, are fsynced, and replace the old
file with one rename; the directory is fsynced once at the end of a build. An unchanged file is
not touched (its mtime, and so its Last-Modified and ETag, stay).

Text files of 1 KiB or more also get a gzip twin (`all.atom.gz`, compressed once per change,
with no timestamp in it) for web servers that send precompressed files (nginx `gzip_static`).
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

GZIP_SUFFIXES = (".atom", ".rss", ".json", ".opml", ".html", ".xml")
GZIP_MIN_BYTES = 1024


class Publisher:
    """`force`: rewrite every file even when its bytes did not change (`vnfeeds build --full`:
    new mtimes, every file announced as changed)."""

    def __init__(self, out_dir: Path, *, force: bool = False):
        self.out = Path(out_dir)
        self.force = force
        self.written: list[str] = []
        self.unchanged = 0
        self._dirs: set[Path] = set()

    def publish(self, rel_path: str, data: bytes) -> bool:
        target = self.out / rel_path
        twin = target.with_name(target.name + ".gz")
        wants_twin = target.suffix in GZIP_SUFFIXES and len(data) >= GZIP_MIN_BYTES
        try:
            if (
                not self.force
                and target.stat().st_size == len(data)
                and target.read_bytes() == data
            ):
                self.unchanged += 1
                if wants_twin and not twin.exists():
                    self._write(twin, gzip.compress(data, compresslevel=9, mtime=0))
                return False
        except FileNotFoundError:
            pass
        # The twin first: a server that prefers it never sends an older twin of a newer file
        # for longer than the rename between the two.
        if wants_twin:
            self._write(twin, gzip.compress(data, compresslevel=9, mtime=0))
        else:
            twin.unlink(missing_ok=True)
        self._write(target, data)
        self.written.append(rel_path)
        return True

    def _write(self, target: Path, data: bytes) -> None:
        write_atomic(target, data, sync_dir=False)
        self._dirs.add(target.parent)

    def finish(self) -> None:
        for directory in sorted(self._dirs):
            fsync_dir(directory)
        self._dirs.clear()


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(target: Path, data: bytes, *, sync_dir: bool = True) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if sync_dir:
        fsync_dir(target.parent)
