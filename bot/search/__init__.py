"""Search over articles and service cards: query analysis, FTS5 retrieval, re-ranking."""
