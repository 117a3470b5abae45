"""The articles pipeline as one pure function: bytes of an upload → ``ParsedArticle``.

read (``readers``: charset-normalizer, trafilatura, python-docx, pypdf) → clean
(``cleaning``: data/boilerplate.toml, rapidfuzz for repeats) → metadata (publication date
via ``dates``, places via ``places``) → events (``events``) → summary (``summary``: razdel,
pymorphy3). No database and no Telegram here: ``service`` stores the result. Uploads run this
in a worker process (``bot.articles.worker``), so ``ParsedArticle`` is plain picklable data.

Recognising the same text twice:
- ``content_hash`` is the SHA-256 of the clean body reduced to its words (``normalize()`` and
  ``words()`` from ``bot.text.normalize``, joined by single spaces), so the same article in
  another encoding, with other line breaks or spacing, or as an HTML page, hashes equal;
- ``similar_text`` is rapidfuzz ``token_sort_ratio`` over the same word form, 0…1. Measured
  on the seeds and fixtures: unrelated articles score 0.14–0.54, seeds 001 and 004 (one event
  told by two sites, sharing a quoted paragraph) 0.64; the same seed as CP1251, UTF-16 or an
  HTML page hashes equal (1.0); a copy that lost its shortest paragraph still scores ≥ 0.97,
  one with an extra caption line ≥ 0.99. ``DUPLICATE_SIMILARITY`` = 0.90 sits clear of both
  sides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from bot.articles import limits
from bot.articles.cleaning import CleanText, clean_text
from bot.articles.dates import publication_dates, url_date
from bot.articles.extract_events import ExtractedEvent, extract_events
from bot.articles.places import find_places
from bot.articles.readers import EmptyDocument, RawDocument, read_document
from bot.articles.sentences import shared_analysis
from bot.articles.summary import summarize
from bot.text.normalize import words

# similar_text() at or above this: the same article (see the module docstring for the numbers).
DUPLICATE_SIMILARITY = 0.90
# similar_text() compares this much of each text (see there why).
SIMILARITY_CHARS = 50_000


@dataclass(frozen=True)
class ParsedArticle:
    """An article ready to store: clean text, metadata, events and a summary."""

    title: str
    published: date | None
    source_url: str | None
    places: list[str]
    body: str  # clean paragraphs joined with "\n\n"
    summary: str
    events: list[ExtractedEvent]
    content_hash: str
    fmt: str
    source_name: str | None = None  # «Источник: …» attribution, when the page had one
    paragraphs: list[str] = field(default_factory=list, compare=False, repr=False)


def parse_document(data: bytes, filename: str, uploaded: date | None = None) -> ParsedArticle:
    """Read, clean and describe one uploaded file; raises ``DocumentError`` subclasses.

    ``uploaded`` is the upload day: no publication date later than it is believed.
    """
    raw = read_document(data, filename)
    return parse_raw(raw, uploaded)


def parse_text(text: str, title: str | None = None, uploaded: date | None = None) -> ParsedArticle:
    """The same pipeline for text pasted into a message (``/add`` with the text inline)."""
    raw = RawDocument(text=text, title=title, date=None, source_url=None, fmt="text")
    return parse_raw(raw, uploaded)


def parse_raw(raw: RawDocument, uploaded: date | None = None) -> ParsedArticle:
    limits.check_text(raw.text)  # before cleaning and the NLP: see bot.articles.limits
    clean = clean_text(raw.text, raw.title)
    if not clean.paragraphs:
        where = "странице" if raw.fmt == "html" else "файле"
        raise EmptyDocument(f"В {where} не нашлось текста статьи")
    with shared_analysis():  # sentences and places worked out once (bot.articles.sentences)
        return _describe(clean, raw, uploaded)


def publication_date(
    clean: CleanText, raw: RawDocument, source_url: str | None, uploaded: date | None
) -> date | None:
    """The first believable publication date, or None.

    Most trusted first: the page's metadata (HTML), the date line the cleaning took out of
    the text (a bare, labelled or dateline date), what the body states
    (``dates.publication_dates``), and last the date in the source URL's path. A date later
    than the upload day is not a publication date (an event's, as a rule) and is skipped.
    """
    body = "\n\n".join(clean.paragraphs)
    candidates = [raw.date, clean.date_line, *publication_dates(body), url_date(source_url)]
    for day in candidates:
        if day is not None and (uploaded is None or day <= uploaded):
            return day
    return None


def _describe(clean: CleanText, raw: RawDocument, uploaded: date | None) -> ParsedArticle:
    body = "\n\n".join(clean.paragraphs)
    source_url = raw.source_url or clean.source_url
    published = publication_date(clean, raw, source_url, uploaded)
    places = find_places(f"{clean.title}\n{body}")
    events = extract_events(body, published=published, title=clean.title)
    return ParsedArticle(
        title=clean.title,
        published=published,
        source_url=source_url,
        places=places,
        body=body,
        summary=summarize(clean.paragraphs, clean.title),
        events=events,
        content_hash=content_hash(body),
        fmt=raw.fmt,
        source_name=clean.source_name,
        paragraphs=list(clean.paragraphs),
    )


def word_form(text: str) -> str:
    """The text reduced to its words (what the hash and the likeness compare)."""
    return " ".join(words(text))


def content_hash(text: str) -> str:
    """SHA-256 of the text's words: blind to encoding, case, ё/е, punctuation and spacing."""
    return hashlib.sha256(word_form(text).encode("utf-8")).hexdigest()


def similar_text(a: str, b: str) -> float:
    """How alike two article texts are, 0…1 (rapidfuzz ``token_sort_ratio`` over words).

    Word order is sorted away, so a moved paragraph does not count as a difference, while a
    retelling of the same event in other words (seeds 001 and 004) stays far below
    ``DUPLICATE_SIMILARITY``. Only the first ``SIMILARITY_CHARS`` of each word form are
    compared: the comparison is quadratic in length and runs on the event loop (two
    different texts of a million characters took 42 s), while articles are 2–20 thousand
    characters, for which nothing changes.
    """
    return similar_word_forms(word_form(a), word_form(b))


def similar_word_forms(a: str, b: str) -> float:
    """``similar_text`` of two texts already reduced by ``word_form`` (one text compared
    with several: reduced once)."""
    left, right = a[:SIMILARITY_CHARS], b[:SIMILARITY_CHARS]
    if not left or not right:
        return 1.0 if left == right else 0.0
    return fuzz.token_sort_ratio(left, right) / 100.0
