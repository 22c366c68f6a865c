"""French text analysis: tokens and terms, sentences, token counters."""
