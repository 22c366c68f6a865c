"""Sources made of several files, read through the export loaders (``loaders.EXPORT_LOADERS``): a folder, or a
zip archive of one, whose files together give one document (a Meta thread in parts) or several (a Slack
workspace: one per conversation).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .archive import archive_names, read_archive_files
from .errors import InputError
from .file_bytes import read_regular_file
from .loaders import EXPORT_LOADERS, LOADERS, ExportLoader
from .names import as_text
from .types import Document


@dataclass
class ExportFiles:
    """The files an export is made of, by path relative to its folder, and the loader that reads them."""

    loader: str  # its name in EXPORT_LOADERS
    files: dict[str, bytes]
    where: str  # where the files came from: "export folder", "… in a zip archive"

    def parse(self, source: str) -> list[tuple[Document, str]]:
        """The export's documents, and how their format was told."""
        return EXPORT_LOADERS[self.loader].parse_files(self.files, source, self.where)


def folder_export(root: Path, names: list[str]) -> ExportLoader | None:
    """The export loader that reads the folder ``root`` (holding the files ``names``) as one source, if any."""
    return next((loader for loader in EXPORT_LOADERS.values() if loader.in_folder(root, names)), None)


def read_export_folder(root: Path, loader: ExportLoader, max_bytes: int) -> ExportFiles:
    """The files of an export folder the export is made of; InputError naming the folder when one cannot
    be read or all of them are over ``max_bytes``."""
    files: dict[str, bytes] = {}
    total = 0
    for file in loader.folder_files(root):
        total += file.stat().st_size
        if total > max_bytes:
            raise InputError(str(root), f"over the size limit ({total:,} bytes > {max_bytes:,})")
        name = file.relative_to(root).as_posix()
        try:
            files[name] = read_regular_file(file, max_bytes)  # a FIFO among the files fails the export, never hangs it
        except InputError as exc:
            raise InputError(str(root), f"{as_text(name)}: {exc.reason}") from None
    return ExportFiles(loader.name, files, "export folder")


def archive_export(data: bytes, name: str, format: str | None, max_bytes: int) -> ExportFiles | None:
    """The export a zip archive holds, when an export loader recognises it (or ``format`` forces one)."""
    forced = folder_only(format)
    if format is not None and forced is None:
        return None  # a single file's format forced: the archive is read through its text file
    names = archive_names(data, name, max_bytes)
    loader = forced or next((e for e in EXPORT_LOADERS.values() if e.in_archive(names)), None)
    if loader is None:
        return None
    return ExportFiles(loader.name, read_archive_files(data, name, max_bytes, loader.archive_member),
                       f"{loader.described} in a zip archive")


def folder_only(format: str | None) -> ExportLoader | None:
    """The export loader ``format`` names when no single-file loader has that name."""
    if format in EXPORT_LOADERS and format not in LOADERS:
        return EXPORT_LOADERS[format]
    return None


__all__ = ["ExportFiles", "archive_export", "folder_export", "folder_only", "read_export_folder"]
