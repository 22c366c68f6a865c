"""Enrichment of chunks: topics now; figures and entities later."""

from .topics import TopicExtractor

__all__ = ["TopicExtractor"]
