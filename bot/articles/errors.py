"""Why a file did not become an article: one exception class per kind of reason.

Every class is a ``DocumentError`` (a ``ValueError``) whose message is one Russian line fit
to show the admin as is. They live in a module of their own so that both the readers and
the limits they apply (``bot.articles.limits``) can raise them without importing each other;
``bot.articles.readers`` re-exports them, where callers have always found them.
"""

from __future__ import annotations


class DocumentError(ValueError):
    """A file the pipeline cannot turn into an article; the message is for the admin."""


class UnsupportedDocument(DocumentError):
    """The format is not one we read (an image, an archive, an old .doc…)."""


class UnreadableDocument(DocumentError):
    """The format is right but the content cannot be decoded (encoding, broken file)."""


class EmptyDocument(DocumentError):
    """The file was read but holds no article text."""


class DocumentTooLarge(DocumentError):
    """Over one of the limits of ``bot.articles.limits``, or more than the parser's time or
    memory allow: refused before (or instead of) the expensive work."""
