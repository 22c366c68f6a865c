"""One module per format; the registry lists them in the order detection tries them."""

from __future__ import annotations

from . import (article, chunkfile, discord, html, markdown, meta, meta_parts, plaintext, post, slack, subtitles,
               telegram, transcript, webchat, whatsapp)
from .base import ExportLoader, Loader

#: Every loader by name. ``plaintext`` is the fallback and always fits a little.
LOADERS: dict[str, Loader] = {
    loader.name: loader
    for loader in (chunkfile, html, telegram, meta, discord, whatsapp, subtitles, transcript, webchat, post, markdown,
                   article, plaintext)
}

#: Formats made of several files (a folder, or a zip archive of one), in the order they are tried.
EXPORT_LOADERS: dict[str, ExportLoader] = {loader.name: loader for loader in (slack, meta_parts)}

#: Every name ``--format`` takes.
FORMATS: tuple[str, ...] = tuple(sorted({*LOADERS, *EXPORT_LOADERS}))

__all__ = ["EXPORT_LOADERS", "FORMATS", "LOADERS", "ExportLoader", "Loader"]
