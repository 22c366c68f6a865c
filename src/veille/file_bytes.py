"""The bytes of a regular file, read without hanging on a FIFO or tearing a file being written."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import InputError
from .names import as_text

__all__ = ["read_regular_file", "special_kind"]

_SPECIAL_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"))


def special_kind(info: os.stat_result) -> str:
    """What a file that is neither a regular file nor a folder is: "a FIFO", "a socket", …"""
    return next((name for test, name in _SPECIAL_KINDS if test(info.st_mode)), "not a file")


def read_regular_file(path: Path, max_bytes: int, buffer: bool = False) -> bytes | bytearray:
    """The bytes of a regular file; InputError when it is not one, is too big or changes while read.

    The file is checked before it is opened (a FIFO or a device is never
    opened), opened non-blocking in case it was swapped for one meanwhile, and
    checked again on the open descriptor. A file whose size or modification
    time differs after reading (still being written) is read once more, then
    reported. ``buffer`` returns a bytearray that the parser may empty once it has decoded it (a large
    file is then not held twice).
    """
    shown = as_text(path)
    for _ in range(2):
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                raise InputError(shown, f"not a regular file ({special_kind(info)}): skipped without opening it")
            if info.st_size > max_bytes:
                raise InputError(shown, f"over the size limit ({info.st_size:,} bytes > {max_bytes:,})")
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            try:
                before = os.fstat(fd)
                if not stat.S_ISREG(before.st_mode):
                    raise InputError(shown, f"not a regular file ({special_kind(before)}): skipped without "
                                            "opening it")
                data = _read_at_most(fd, max_bytes + 1, before.st_size if buffer else None)
                after = os.fstat(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise InputError(shown, "no such file (removed since the ingest began)") from None
            raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
        if len(data) > max_bytes:
            raise InputError(shown, f"over the size limit (more than {max_bytes:,} bytes)")
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            return data
    raise InputError(shown, "changed while it was read, twice: still being written? ingest it again when done")


def _read_at_most(fd: int, limit: int, size: int | None = None) -> bytes | bytearray:
    """Up to ``limit`` bytes; into one preallocated buffer of ``size`` bytes when given."""
    if size is not None:
        data = bytearray(min(size, limit))
        view, got = memoryview(data), 0
        while got < len(data):
            n = os.readv(fd, [view[got:]])
            if not n:
                break
            got += n
        view.release()
        del data[got:]
        if got == size:
            data += _read_at_most(fd, limit - got)  # it grew meanwhile
        return data
    parts = []
    left = limit
    while left > 0:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
