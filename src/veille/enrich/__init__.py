"""Enrichment of chunks: topics and mentions (people, organisations, places)."""

from .mentions import Mention, MentionExtractor
from .topics import TopicExtractor

__all__ = ["Mention", "MentionExtractor", "TopicExtractor"]
