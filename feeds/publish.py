"""Publishing files into the output dir: atomically, and only when the bytes changed.

A reader fetching a feed while it is rewritten gets the old file or the new one, never half of
one: the new bytes go to a temporary file in the same directory, are fsynced, and replace the old
file with one rename; the directory is fsynced once at the end of a build. An unchanged file is
not touched (its mtime, and so its Last-Modified and ETag, stay).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class Publisher:
    def __init__(self, out_dir: Path):
        self.out = Path(out_dir)
        self.written: list[str] = []
        self.unchanged = 0
        self._dirs: set[Path] = set()

    def publish(self, rel_path: str, data: bytes) -> bool:
        target = self.out / rel_path
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                self.unchanged += 1
                return False
        except FileNotFoundError:
            pass
        write_atomic(target, data, sync_dir=False)
        self._dirs.add(target.parent)
        self.written.append(rel_path)
        return True

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
