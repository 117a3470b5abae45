"""Search over the index: layout repair, typo correction, abbreviations, hostile input,
snippets. (The pure parts of the analysis are in tests/unit/test_search_analysis.py.)

One app (seeds and cards indexed) serves the whole module: every test here only reads.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import pytest_asyncio
from razdel import sentenize

from bot.app import App
from bot.domain.snippets import best_sentences
from bot.settings import load_settings
from bot.telegram.formatting import plain_text
from bot.text.morph import lemma
from tests.support import doc_reply, reply_to

# Every async test runs in the module's event loop, the one the shared app lives in.
module_loop = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(template_db: Path, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("search") / "db.sqlite3"
    shutil.copy(template_db, db)  # the seeded store, not seeded again
    application = await App.create(load_settings(database_url=f"sqlite:///{db}"))
    yield application
    await application.close()


async def found_docs(app: App, text: str) -> list[str]:
    result = await app.search.search(text)
    return [str(h.doc) for h in result.hits] if result.found else []


# ---- wrong keyboard layout ------------------------------------------------------------------


@module_loop
async def test_layout_repaired_in_queries(app: App) -> None:
    query = app.search.analyzer.analyze("ntktajy ljdthbz")
    assert query.layout_fixed
    assert query.repaired == "телефон доверия"
    query = app.search.analyzer.analyze("cnf;bhjdrf d n.vtyb")
    assert query.layout_fixed
    assert query.repaired == "стажировка в тюмени"
    assert "c:helpline" in (await found_docs(app, "ntktajy ljdthbz"))[:1]


@module_loop
async def test_latin_words_that_are_not_a_wrong_layout_stay(app: App) -> None:
    query = app.search.analyzer.analyze("windows 11")
    assert not query.layout_fixed
    query = app.search.analyzer.analyze("телефон доверия help")
    assert not query.layout_fixed


# ---- typos --------------------------------------------------------------------------------------


@module_loop
@module_loop
@pytest.mark.parametrize(
    ("typed", "fixed"),
    [("симейный", "семейный"), ("стожировка", "стажировка"), ("госуслги", "госуслуга")],
)
async def test_typos_corrected_against_the_index(app: App, typed: str, fixed: str) -> None:
    term = app.search.analyzer.analyze(typed).terms[0]
    assert fixed in term.lemmas
    assert term.kind == "corrected"


@module_loop
async def test_typo_measured_against_inflected_forms(app: App) -> None:
    # «даверия» is two edits from the lemma «доверие» but one from its form «доверия».
    query = app.search.analyzer.analyze("телефон даверия")
    assert "доверие" in query.terms[1].lemmas
    assert (await found_docs(app, "телефон даверия"))[:1] == ["c:helpline"]


@module_loop
async def test_short_words_are_never_corrected(app: App) -> None:
    for word in ("мфк", "кот"):
        term = app.search.analyzer.analyze(word).terms[0]
        assert term.kind != "corrected", word
        assert list(term.lemmas)[0] == lemma(word)


@module_loop
async def test_spellings_that_sound_like_a_service_name_reach_it(app: App) -> None:
    """Letter edits are never made in short words, but a word spelt as it sounds is the
    word it sounds like: «мфс» is «мфц», «тилифон давериа» is «телефон доверия»."""
    assert list(app.search.analyzer.analyze("мфс").terms[0].lemmas)[0] == "мфц"
    assert list(app.search.analyzer.analyze("фонт").terms[0].lemmas)[0] == "фонд"
    for text, card in [
        ("тилифон давериа", "c:helpline"),
        ("тел доверия", "c:helpline"),
        ("семейный мфс", "c:mfc"),
        ("упалнамоченый по правам детей", "c:ombudsman"),
        ("гос услуги", "c:gosuslugi"),
    ]:
        result = await app.search.search(text)
        assert result.found and str(result.hits[0].doc) == card, (text, result.hits[:2])


@module_loop
async def test_dictionary_words_are_not_corrected_into_index_words(app: App) -> None:
    # «кошки» is a real word: it must not become some index word one edit away.
    term = app.search.analyzer.analyze("кошки").terms[0]
    assert term.kind != "corrected"


# ---- abbreviations, derivation, phones -----------------------------------------------------


@module_loop
async def test_abbreviation_searches_its_full_form(app: App) -> None:
    query = app.search.analyzer.analyze("реабилитация подростков употребляющих пав")
    pav = [t for t in query.terms if t.typed == "пав"][0]
    assert "пав" in pav.lemmas and "пасть" not in pav.lemmas
    assert len(pav.lemmas) > 1  # and its full forms from data/search.toml


@module_loop
async def test_phone_number_finds_its_card(app: App) -> None:
    assert (await found_docs(app, "8 (800) 2000-122 чей номер"))[:1] == ["c:helpline"]


# ---- deciding «не нашёл» --------------------------------------------------------------------


@module_loop
@module_loop
@pytest.mark.parametrize(
    "text",
    [
        "погода завтра",
        "телефон доверия сбербанка",
        "диван в гостиную недорого",
        "курс доллара",
        "как установить windows 11",
    ],
)
async def test_unrelated_questions_not_found(app: App, text: str) -> None:
    assert await found_docs(app, text) == []


@module_loop
async def test_long_message_judged_by_its_request(app: App) -> None:
    # The story around the request counts less than the request itself.
    text = (
        "Здравствуйте, у нас трое детей, муж постоянно в разъездах, я уже не знаю за что "
        "хвататься: то садик, то бумажки, то кружки. Расскажите, что такое семейный мфц?"
    )
    assert (await found_docs(app, text))[:1] == ["c:mfc"]
    query = app.search.analyzer.analyze(text)
    story = [t for t in query.terms if t.typed == "разъездах"][0]
    request = [t for t in query.terms if t.typed == "мфц"][0]
    assert story.importance < request.importance


# ---- hostile and odd input ------------------------------------------------------------------

HOSTILE = [
    '"телефон доверия',
    'мфц"',
    '""',
    "мфц*",
    "*",
    "NEAR(мфц, телефон)",
    "мфц AND NOT телефон OR фонд",
    "AND",
    "NOT",
    "^мфц",
    "title: мфц",
    "{title body}: мфц",
    "body:фонд",
    "(мфц",
    "мфц)",
    "- мфц",
    "-мфц -фонд",
    "мфц + фонд",
    "<b>мфц</b> <script>alert(1)</script>",
    "&lt;телефон&gt; &amp;",
    "😀😀😀",
    "🙏",
    "12345",
    "8",
    "0000000000000000000000",
    "",
    "   ",
    "\n\t",
    "ё",
    "a",
    "?!.,;:",
    "мфц " * 1000,
    "Семейный МФЦ, где он? " * 200,
    ("я " + "очень " * 50 + "устала. ") * 30,
]


def _case_id(text: str) -> str:
    return re.sub(r"\W+", "_", text.encode("ascii", "replace").decode()[:30]) or "x"


@module_loop
@pytest.mark.parametrize("text", HOSTILE, ids=[f"{i}_{_case_id(t)}" for i, t in enumerate(HOSTILE)])
async def test_hostile_input_never_raises(app: App, text: str) -> None:
    result = await app.search.search(text)
    assert isinstance(result.found, bool)
    if result.found:
        assert result.hits and all(h.doc.kind in ("a", "c") for h in result.hits)
    reply = await reply_to(app, text)
    plain = plain_text(reply.text)
    if reply.kind == "crisis":  # «я очень … устала» ×30 reads as distress
        assert "8-800-2000-122" in plain.split("\n")[0]
    elif result.found:  # an answer about what the search found
        assert str(reply.subject) in {str(h.doc) for h in result.hits}, (reply.subject, plain)
    else:  # «не нашёл», and the helpline with it
        assert reply.kind == "not_found" and "Не нашёл" in plain and "8-800-2000-122" in plain


@module_loop
async def test_fts_syntax_is_searched_as_words(app: App) -> None:
    assert (await found_docs(app, '"мфц*" AND (семейный)'))[:1] == ["c:mfc"]
    assert (await found_docs(app, "NEAR(телефон доверия)"))[:1] == ["c:helpline"]


@module_loop
async def test_4000_character_message(app: App) -> None:
    text = ("Подскажите, пожалуйста, " + "у нас в семье много сложностей, " * 120)[:3990]
    text += " семейный мфц?"
    assert len(text) <= 4000
    result = await app.search.search(text)
    reply = await reply_to(app, text)
    # An answer from the materials, about what the search found for the message.
    assert result.found and "Не нашёл" not in plain_text(reply.text)
    assert str(reply.subject) in {str(h.doc) for h in result.hits}


# ---- snippets -----------------------------------------------------------------------------------


@module_loop
async def test_how_many_question_picks_the_sentence_with_numbers(app: App) -> None:
    reply = await reply_to(app, "сколько семейных мфц работает")
    # The reply (the card or the forum article) states how many centres there are.
    assert re.search(r"\d+ (Семейных МФЦ|центр)", reply.text)
    # And on the forum article the snippet is the sentence with the figures.
    article = await _article_with(app, "Сегодня работает 79 Семейных МФЦ")
    query = app.search.analyzer.analyze("сколько семейных мфц работает")
    chosen = best_sentences(article.body, query, app.search.analyzer.idf)
    assert chosen[0] == "Сегодня работает 79 Семейных МФЦ в 39 регионах."
    assert all(re.search(r"\d", s) for s in chosen)


async def _article_with(app: App, phrase: str):
    for row in await app.store.list_articles(0, 100):
        article = await app.store.get_article(row.id)
        if phrase in article.body:
            return article
    raise AssertionError(phrase)


@module_loop
async def test_same_sentence_never_twice_in_a_reply(app: App) -> None:
    from tests.eval.run import load_questions

    checked = 0
    for q in load_questions():
        result = await app.search.search(q["text"])
        if not result.found or result.hits[0].doc.is_card:
            continue
        reply = await doc_reply(app, result.hits[0].doc, result)
        snippet = reply.text.split("\n")[2]  # below the title and the date line
        sentences = [s.text for s in sentenize(snippet)]
        assert len(sentences) == len(set(sentences)), q["text"]
        assert 1 <= len(sentences) <= 3, q["text"]
        checked += 1
    assert checked >= 30


@module_loop
async def test_odd_words_never_break_the_analyzer(app: App) -> None:
    """«аааааа» (vowels only) once raised IndexError in the typo step; «²» is a digit to
    str.isdigit but not to int()."""
    for text in ["аааааа", "ыыыыыыыыы", "оуоуоуоуо аааааааааа", "² ³ ١٢", "ёёёёёё"]:
        result = await app.search.search(text)
        assert not result.found, text
