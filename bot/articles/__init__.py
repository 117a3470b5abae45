"""Articles pipeline: cleaning, metadata (dates, places) and events extracted from article text."""
