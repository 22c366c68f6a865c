"""Which files an ingest reads.

The walk reports every path it does not read, with the reason: a symbolic link
loop or a dangling link, a FIFO, socket or device (never opened: reading a FIFO
waits forever), a folder it cannot list. Symbolic links to files and folders are
followed, a folder at most once and never back into one of its parents.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterable, Sequence

from .exports import folder_export
from .file_bytes import special_kind
from .names import as_text
from .pipeline import FileResult

__all__ = ["Walk", "walk"]

_SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_PAGE_ASSETS = re.compile(r"(.+)_(?:files|fichiers)$")


@dataclass
class Walk:
    """What walking the paths given to ingest found."""

    items: list[Path] = field(default_factory=list)  # files, and export folders read as a whole, in order
    problems: list[FileResult] = field(default_factory=list)  # paths reported instead of read
    excluded: int = 0  # files and folders left out by an exclude pattern


def walk(paths: Iterable[str | Path], exclude: Sequence[str] = ()) -> Walk:
    """Files named, and the files of folders named (hidden ones skipped), in a stable order.

    A folder holding a Slack export, or a Messenger/Instagram conversation in
    parts, is one item: the export is read as a whole. The assets folder a
    browser saves beside a page (``page_files/`` next to ``page.html``) is not
    a source. ``exclude`` holds glob patterns matched against each path relative
    to the folder given and against the file name (``*.log``, ``drafts/*``).
    A path named directly that cannot be read fails; inside a folder, links
    that lead nowhere and special files are skipped with the reason.
    """
    found = Walk()
    for raw in paths:
        path = Path(raw)
        if _excluded(path.name, path.name, exclude):
            found.excluded += 1
            continue
        kind, reason, info = _examine(path)
        if kind == "folder":
            assert info is not None
            _walk_folder(path, (info.st_dev, info.st_ino), exclude, found)
        elif kind == "file":
            found.items.append(path)
        else:
            found.problems.append(FileResult(as_text(path), "failed", reason=reason))
    return found


def _walk_folder(top: Path, key: tuple[int, int], exclude: Sequence[str], found: Walk) -> None:
    """The files under ``top``, depth first, each folder's files before its sub-folders, by name."""
    visited = {key}
    stack: list[tuple[Path, tuple[tuple[int, int], ...]]] = [(top, (key,))]
    while stack:
        folder, parents = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            found.problems.append(FileResult(as_text(folder), "failed",
                                             reason=f"cannot read folder: {exc.strerror or exc}"))
            continue
        names = [e.name for e in entries if not _is_folder(e)]
        if folder_export(folder, names):
            found.items.append(folder)
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIPPED_NAMES:
                continue
            path = Path(entry.path)
            if _excluded(path.relative_to(top).as_posix(), entry.name, exclude):
                found.excluded += 1
                continue
            kind, reason, info = _examine(path)
            if kind == "file":
                found.items.append(path)
            elif kind == "folder":
                assert info is not None
                key = (info.st_dev, info.st_ino)
                if key in parents:
                    found.problems.append(FileResult(as_text(path), "skipped",
                                                     reason="symbolic link loop: leads back to a parent folder"))
                elif key not in visited and not _page_assets(entry.name, names):
                    visited.add(key)
                    subfolders.append((path, (*parents, key)))
            else:
                found.problems.append(FileResult(as_text(path), "failed" if kind == "failed" else "skipped",
                                                 reason=reason))
        stack.extend(reversed(subfolders))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _examine(path: Path) -> tuple[str, str, os.stat_result | None]:
    """("file" | "folder" | "skipped" | "failed", why not read, the stat of what the path leads to)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "skipped", "symbolic link loop", None
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return "skipped", f"dangling symbolic link (to {as_text(os.readlink(path))})", None
        if exc.errno == errno.ENOENT:
            return "failed", "no such file or folder", None
        return "failed", f"cannot read: {exc.strerror or exc}", None
    if stat.S_ISDIR(info.st_mode):
        return "folder", "", info
    if stat.S_ISREG(info.st_mode):
        return "file", "", info
    return "skipped", f"not a regular file ({special_kind(info)}): skipped without opening it", info


def _excluded(relative: str, name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(relative, p) or fnmatchcase(name, p) for p in patterns)


def _page_assets(folder: str, files: list[str]) -> bool:
    """Whether ``folder`` is the assets folder a browser saved beside a page of ``files``."""
    match = _PAGE_ASSETS.match(folder)
    return bool(match) and any(f"{match.group(1)}{suffix}" in files for suffix in (".html", ".htm", ".xhtml"))
