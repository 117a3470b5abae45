"""Hostile documents refused by the readers themselves, and the parser's costs kept linear.

A .docx with a DTD or nested deeper than the limit is refused by a streaming check that
builds no tree; the summary's centrality is linear yet gives the pairwise numbers; the
near-duplicate check of two huge texts is bounded; a parsed article crosses the process
boundary intact. (The same documents sent to the bot are in tests/bot/test_hostile_uploads.py.)
"""

from __future__ import annotations

import io
import math
import pickle
import random
import time
from collections import Counter

import pytest

from bot.articles import limits
from bot.articles.cleaning import clean_text
from bot.articles.errors import DocumentTooLarge
from bot.articles.parse import DUPLICATE_SIMILARITY, parse_document, similar_text
from bot.articles.readers import read_document
from bot.articles.summary import (
    _centrality,
    _lemmas,
    score_sentences,
    split_sentences,
    summarize,
)
from tests.hostile_documents import docx_bytes, nested_docx, rezip
from tests.support import FIXTURES, SEEDS


def test_docx_nested_within_the_limit_and_the_fixture_still_read():
    assert "Омске" in read_document(nested_docx(50), "ok.docx").text
    forum = (FIXTURES / "forum_kazan.docx").read_bytes()
    assert "Казан" in read_document(forum, "forum_kazan.docx").text


def test_docx_with_a_dtd_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    data = rezip(docx_bytes(), replace={"word/document.xml": laughs})
    with pytest.raises(DocumentTooLarge, match="DTD"):
        read_document(data, "laughs.docx")


def test_xml_depth_check_streams_and_builds_no_tree():
    """An endless nesting is refused after the first chunk: nothing is read to the end."""

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = (b"<a>" * (len(buffer) // 3 + 1))[: len(buffer)]
            buffer[: len(chunk)] = chunk
            self.served += len(chunk)
            return len(chunk)

    stream = Endless()
    with pytest.raises(DocumentTooLarge, match="вложенность"):
        limits.check_xml_depth(stream)
    assert stream.served <= 2 * 64 * 1024


def test_summary_centrality_is_the_pairwise_mean_cosine():
    """The linear centrality gives the pairwise definition's numbers on the seeds."""
    for path in sorted(SEEDS.glob("*.txt")):
        raw = read_document(path.read_bytes(), path.name)
        clean = clean_text(raw.text, raw.title)
        sentences = split_sentences(clean.paragraphs)
        bags = [Counter(_lemmas(s)) for s in sentences]
        norms = [math.sqrt(sum(v * v for v in b.values())) for b in bags]
        pairwise = []
        for i, bag in enumerate(bags):
            total = 0.0
            for j, other in enumerate(bags):
                if i != j and norms[i] and norms[j]:
                    dot = sum(v * other.get(k, 0) for k, v in bag.items())
                    total += dot / (norms[i] * norms[j])
            pairwise.append(total / (len(bags) - 1) if norms[i] and len(bags) > 1 else 0.0)
        assert _centrality(bags, norms) == pytest.approx(pairwise, abs=1e-12)
        assert len(score_sentences(sentences, clean.title)) == len(sentences)


def test_summary_of_many_sentences_is_fast():
    sentences = [f"Семинар номер {i} для приёмных семей прошёл в Омске." for i in range(20_000)]
    started = time.perf_counter()
    summary = summarize(sentences, "Семинар в Омске")
    assert time.perf_counter() - started < 10  # pairwise: 4·10⁸ dot products
    assert summary.startswith("Семинар номер") and "Омске" in summary and len(summary) <= 600


def test_near_duplicate_check_of_two_huge_texts_is_bounded():
    """The duplicate check runs on the event loop: two different texts of ~a million
    characters must not cost it the 42 s a full quadratic comparison did."""
    rng = random.Random(5)
    vocabulary = [f"слово{i}" for i in range(5000)]
    a, b = (" ".join(rng.choice(vocabulary) for _ in range(120_000)) for _ in range(2))
    started = time.perf_counter()
    assert similar_text(a, b) < DUPLICATE_SIMILARITY
    assert time.perf_counter() - started < 3


def test_parsed_article_crosses_the_process_boundary():
    for name in ("forum_kazan.docx", "webinar_cp1251.txt", "contest_samara.pdf"):
        article = parse_document((FIXTURES / name).read_bytes(), name)
        copy = pickle.loads(pickle.dumps(article))
        assert copy == article and copy.paragraphs == article.paragraphs
