"""Writing files so that a crash or a kill never leaves half of one: a temporary file in the same
folder, flushed (and fsynced unless told not to), then renamed over the target. Shared by the load
cache, the command line's report, the window's records and settings."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike, data: bytes, *, durable: bool = True, private: bool = True) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new one, never a mix.

    `durable` fsyncs the data and then the folder, so the new file also survives a power cut (skip
    it for caches, which only cost speed when lost). `private` keeps the file readable by its owner
    only (sessions, records and reports hold trainees' names); a file meant to be shared (a scenario,
    a drawing) takes an existing file's permissions, else the usual ones for a new file (the umask's).
    Raises OSError; the temporary file is removed.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}-", suffix=".tmp")
    try:
        if not private:
            os.chmod(tmp, _shared_mode(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        sync_folder(path.parent)


def _shared_mode(path: Path) -> int:
    """The permissions a shared file gets: the existing file's, else 0o666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        pass
    mask = 0o022
    try:  # read the umask without changing it (os.umask would, for every thread, for a moment)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    mask = int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o666 & ~mask


def sync_folder(folder: str | os.PathLike) -> None:
    """fsync a folder so that a new name in it survives a power cut (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except (OSError, AttributeError):
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
