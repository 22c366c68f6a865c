"""One module per format; the registry lists them in the order detection tries them."""

from __future__ import annotations

from . import (article, chunkfile, discord, html, markdown, meta, plaintext, post, subtitles, telegram, transcript,
               webchat, whatsapp)
from .base import Loader

#: Every loader by name. ``plaintext`` is the fallback and always fits a little.
LOADERS: dict[str, Loader] = {
    loader.name: loader
    for loader in (chunkfile, html, telegram, meta, discord, whatsapp, subtitles, transcript, webchat, post, markdown,
                   article, plaintext)
}

__all__ = ["LOADERS", "Loader"]
