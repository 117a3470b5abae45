"""Strip scraped pages down to the article: title, body paragraphs and a little metadata.

The readers hand over text one paragraph per line, but scraped pages keep their furniture:
site menus, «Комментарии / Вконтакте / Войти как пользователь» boxes, question forms,
«Последние новости» with unrelated news and ads below the text, the title printed twice,
whole paragraphs repeated, a ` date 2025-12-24` header glued to the first line, «Фото: URL».

What is boilerplate lives in ``data/boilerplate.toml`` (exact lines, regexes, "cut everything
after" markers, metadata patterns), so a new site's furniture is a data edit. The code here
only applies those rules, plus three structural ones that no list can express:
- repeated paragraphs go (exact, or near-exact by rapidfuzz ``fuzz.ratio`` ≥
  ``NEAR_DUPLICATE_RATIO`` on the normalised words), the first occurrence stays;
- the title is found (the first short line without a final period that looks like a headline,
  or the reader's title unless that is site furniture such as «Новости») and every repetition
  of it leaves the body; an article printed without a headline gets its first sentence, cut
  to ≤ 120 characters at a clause or word boundary;
- short non-sentence lines left dangling after the last paragraph (leftover menu items) go.

Decisions worth knowing:
- «Источник: …» is attribution, not body text: it is removed from the paragraphs and returned
  as ``source_name`` (or ``source_url`` when it is a link) so replies can credit it.
- «Фото: https://…» gives ``source_url`` (without its gallery «#…» anchor).
- A line that holds only a date («18/06/2024», «Опубликовано 1 декабря 2026 года»), and
  among the first or last ``EDGE_LINES`` lines also a labelled date in any written form
  («Дата публикации: 27 нояб. 2026») or a dateline («Новосибирск, 27 ноября 2026 г.»), is the
  publication date: it becomes ``date_line`` (parsed by ``bot.articles.dates``).
- A line among the first or last ``EDGE_LINES`` that is only an address (pasted pages start
  or end with their URL) is the page's ``source_url``, never the title or body text.
- The article's own sentences are never edited: lines are only stripped at their ends, and
  wrapped lines are joined only when a line stops mid-sentence and the next starts in lower
  case. Glued words such as «Работастажировочной» stay as the source has them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from razdel import sentenize

from bot.datafile import BoilerplateSpec, data_path, read_data
from bot.text.normalize import normalize, words

# Two paragraphs whose normalised words are this similar (rapidfuzz ratio, 0–100) are one
# paragraph printed twice (a scraper's repeat with a changed space or quote mark).
NEAR_DUPLICATE_RATIO = 95
# A line this similar to the title is the title printed again.
TITLE_REPEAT_RATIO = 92
# Only paragraphs with at least this many words are de-duplicated: short lines such as «Да.»
# may legitimately repeat in an interview.
DEDUP_MIN_WORDS = 4
TITLE_MAX_CHARS = 120
HEADLINE_MAX_WORDS = 25
HEADLINE_MAX_CHARS = 200

_TERMINAL = re.compile(r"[.!?…;:][»\"”’)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…][»\"”’)\]]*$")
_BULLETS = "•·▪◦●-–—*"
_NUMBER = re.compile(r"\d+")
# Lines at each end of a text that may hold the page's address or date (header, footer).
EDGE_LINES = 5
_URL_LINE = re.compile(
    r"^\s*(?:(?:url|ссылка|адрес(?:\s+страницы)?|link)\s*[:：]\s*)?<?"
    r"(?P<url>(?:https?://|www\.)[^\s<>]+)>?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanText:
    """The article without its page: title, body paragraphs and what the page said about it."""

    title: str
    paragraphs: list[str]
    source_url: str | None
    date_line: date | None
    source_name: str | None = None
    removed: list[str] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class BoilerplateRules:
    drop_exact: frozenset[str]
    drop_patterns: tuple[re.Pattern[str], ...]
    cut_exact: frozenset[str]
    cut_patterns: tuple[re.Pattern[str], ...]
    min_words_before_cut: int
    date_header: re.Pattern[str]
    date_only: tuple[re.Pattern[str], ...]
    photo_url: re.Pattern[str]
    source: re.Pattern[str]


def normalize_line(line: str) -> str:
    """The form boilerplate lines are compared in: case, ё, spaces, bullets, final colon."""
    text = " ".join(normalize(line).split())
    text = text.lstrip(_BULLETS + " ").rstrip(": ")
    return text


def load_rules(path: Path | None = None) -> BoilerplateRules:
    """Read and compile ``boilerplate.toml`` from DATA_DIR (validated; cached per path)."""
    return _load_rules(path or data_path("boilerplate.toml"))


@lru_cache(maxsize=4)
def _load_rules(path: Path) -> BoilerplateRules:
    raw = read_data(path, BoilerplateSpec)

    def compile_all(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)

    meta = raw["metadata"]
    return BoilerplateRules(
        drop_exact=frozenset(normalize_line(x) for x in raw["drop"]["exact"]),
        drop_patterns=compile_all(raw["drop"].get("patterns", [])),
        cut_exact=frozenset(normalize_line(x) for x in raw["cut"]["exact"]),
        cut_patterns=compile_all(raw["cut"].get("patterns", [])),
        min_words_before_cut=int(raw["cut"].get("min_words_before", 30)),
        date_header=re.compile(meta["date_header"], re.IGNORECASE),
        date_only=compile_all(meta.get("date_only", [])),
        photo_url=re.compile(meta["photo_url"], re.IGNORECASE),
        source=re.compile(meta["source"], re.IGNORECASE),
    )


def clean_text(text: str, title: str | None = None) -> CleanText:
    """Remove the page around the article; see the module docstring for the rules."""
    rules = load_rules()
    removed: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    date_line = _take_date_header(lines, rules)
    blocks, source_url, source_name, date_only = _filter_lines(lines, rules, removed)
    if date_line is None:
        date_line = date_only
    paragraphs = _join_wrapped(blocks)
    paragraphs = _drop_repeats(paragraphs, removed)

    if title and _is_boilerplate_title(title, rules):
        removed.append(title)
        title = None
    title_text, paragraphs = _find_title(paragraphs, title, removed)
    paragraphs = _trim_tail(paragraphs, removed)
    if not title_text and paragraphs:
        title_text = title_from_sentence(paragraphs[0])
    return CleanText(
        title=title_text or "",
        paragraphs=paragraphs,
        source_url=source_url,
        date_line=date_line,
        source_name=source_name,
        removed=removed,
    )


# --- line filtering -----------------------------------------------------------------------------


def _take_date_header(lines: list[str], rules: BoilerplateRules) -> date | None:
    """Cut a leading « date 2025-12-24» header off the first line; the rest of it stays."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = rules.date_header.match(line)
        if not match:
            return None
        try:
            found = date.fromisoformat(match.group("date"))
        except ValueError:
            return None
        lines[index] = line[match.end() :]
        return found
    return None


def _filter_lines(
    lines: list[str], rules: BoilerplateRules, removed: list[str]
) -> tuple[list[list[str]], str | None, str | None, date | None]:
    """Drop boilerplate lines, stop at a cut marker, pick up source and date lines.

    Returns blocks of consecutive kept lines (a blank line or a removed line separates
    blocks), the source URL, the source name and the first date line.
    """
    blocks: list[list[str]] = [[]]
    source_url = source_name = None
    date_only: date | None = None
    prose_words = 0
    edges = _edge_lines(lines)
    address = photo_url = None  # the page's own address line; a photo credit's link
    for index, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line:
            blocks.append([])
            continue
        if index in edges:
            url = page_url(line)
            stated = _standalone_date(line) if url is None else None
            if url or stated:
                if url:
                    address = address or url
                elif date_only is None:
                    date_only = stated
                removed.append(line)
                blocks.append([])
                continue
        norm = normalize_line(line)
        if _is_cut(line, norm, rules):
            if prose_words >= rules.min_words_before_cut:
                removed.append(line)
                break
            removed.append(line)
            blocks.append([])
            continue
        photo = rules.photo_url.match(line)
        if photo:
            photo_url = photo_url or photo.group("url").split("#", 1)[0]
            removed.append(line)
            blocks.append([])
            continue
        source = rules.source.match(line)
        if source:
            value = source.group("source")
            if re.match(r"https?://\S+$", value):
                source_url = source_url or value
            else:
                source_name = source_name or value
            removed.append(line)
            blocks.append([])
            continue
        if any(p.match(line) for p in rules.date_only):
            if date_only is None:
                date_only = _parse_date_only(line)
            removed.append(line)
            blocks.append([])
            continue
        if norm in rules.drop_exact or any(p.search(line) for p in rules.drop_patterns):
            removed.append(line)
            blocks.append([])
            continue
        blocks[-1].append(line)
        count = len(words(line))
        if count >= 8 and _SENTENCE_END.search(line):
            prose_words += count
    # A credited link first («Источник: https://…»), then the page's address, then a photo's.
    source_url = source_url or address or photo_url
    return [b for b in blocks if b], source_url, source_name, date_only


def _edge_lines(lines: list[str]) -> set[int]:
    """Indices of the first and last ``EDGE_LINES`` non-empty lines: a page's header and
    footer, where its address and date are printed."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:EDGE_LINES]) | set(filled[-EDGE_LINES:])


def page_url(line: str) -> str | None:
    """The address on a line that holds nothing else («https://…», «URL: …», «www.…»)."""
    match = _URL_LINE.match(line)
    if not match:
        return None
    url = match.group("url").rstrip(".,;)»>")
    return url if url.lower().startswith("http") else f"https://{url}"


def _standalone_date(line: str) -> date | None:
    if len(line) > 80 or not any(ch.isdigit() for ch in line):
        return None  # most lines: no need for the date parser
    # Imported here: only pages with a date line need the date parser.
    from bot.articles.dates import standalone_date

    return standalone_date(line)


def _is_cut(line: str, norm: str, rules: BoilerplateRules) -> bool:
    return norm in rules.cut_exact or any(p.search(line) for p in rules.cut_patterns)


def _parse_date_only(line: str) -> date | None:
    # Imported here: only pages with a bare date line need the date parser.
    from bot.articles.dates import parse_publication_date

    return parse_publication_date(line)


def _join_wrapped(blocks: list[list[str]]) -> list[str]:
    """One paragraph per line, except a line that stops mid-sentence before a lower-case line.

    Text files wrapped at 70 columns break sentences over lines; joining them is the only
    change made to the text, and only when the break cannot be a paragraph end.
    """
    paragraphs: list[str] = []
    for block in blocks:
        current = block[0]
        for line in block[1:]:
            if not _TERMINAL.search(current) and line[:1].islower():
                current = f"{current} {line}"
            else:
                paragraphs.append(current)
                current = line
        paragraphs.append(current)
    return paragraphs


def _key(paragraph: str) -> str:
    return " ".join(words(paragraph))


def _drop_repeats(paragraphs: list[str], removed: list[str]) -> list[str]:
    """Keep the first of paragraphs that repeat exactly or nearly (rapidfuzz ratio).

    A near repeat must carry the same numbers: «в 2023 году — 120 семей» and «в 2024 году —
    150 семей» are two facts, not a typo. Only paragraphs of similar length can reach the
    ratio, so each is compared with those alone and long PDFs stay fast.
    """
    kept: list[str] = []
    seen_exact: set[str] = set()
    # numbers of the paragraph → (length, key) pairs sorted by length
    groups: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    slack = 2 * (1 - NEAR_DUPLICATE_RATIO / 100)
    for paragraph in paragraphs:
        key = _key(paragraph)
        if len(key.split()) >= DEDUP_MIN_WORDS:
            group = groups.setdefault(tuple(_NUMBER.findall(key)), [])
            low = bisect.bisect_left(group, (int(len(key) * (1 - slack)), ""))
            high = bisect.bisect_right(group, (int(len(key) * (1 + slack)) + 1, ""))
            near = [k for _, k in group[low:high]]
            if key in seen_exact or (
                near
                and process.extractOne(
                    key, near, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_RATIO
                )
            ):
                removed.append(paragraph)
                continue
            seen_exact.add(key)
            bisect.insort(group, (len(key), key))
        kept.append(paragraph)
    return kept


# --- title --------------------------------------------------------------------------------------


def looks_like_headline(line: str) -> bool:
    """A short line without a final period, comma or colon: how headlines are printed."""
    count = len(words(line))
    return (
        2 <= count <= HEADLINE_MAX_WORDS
        and len(line) <= HEADLINE_MAX_CHARS
        and not line.rstrip().endswith((".", ",", ":", ";"))
        and any(ch.isalpha() for ch in line)
    )


def _is_prose(line: str) -> bool:
    return not looks_like_headline(line)


def _find_title(
    paragraphs: list[str], given: str | None, removed: list[str]
) -> tuple[str | None, list[str]]:
    """Pick the title and take it (and its repeats, and site labels above it) out of the body.

    The headline is looked for among the lines before the first prose paragraph: the first
    with four or more words wins (a one-word rubric such as «Общество» above it is not it).
    A title from the reader (HTML ``<title>``, .docx heading, PDF metadata) is preferred when
    no headline line matches it; when one does, the line's wording wins (page titles carry
    «— Site name» suffixes).
    """
    given = " ".join(given.split()) if given else None
    head: list[int] = []
    for index, paragraph in enumerate(paragraphs[:5]):
        if _is_prose(paragraph):
            break
        head.append(index)
    headline_index = None
    if len(paragraphs) > len(head):  # a headline needs body text after it
        candidates = [i for i in head if len(words(paragraphs[i])) >= 4] or head
        if candidates:
            headline_index = candidates[0]

    title = given
    if headline_index is not None:
        line = paragraphs[headline_index]
        if (
            given is None
            or _same_title(line, given)
            # «Итоги года» from <title> loses to a real headline printed above the text
            or (len(words(given)) < 3 and len(words(line)) >= 4)
        ):
            title = line
    if not title:
        return None, paragraphs

    title_key = _key(title)
    body: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        key = _key(paragraph)
        is_repeat = len(key) <= 1.5 * len(title_key) + 10 and (
            key == title_key or fuzz.ratio(key, title_key) >= TITLE_REPEAT_RATIO
        )
        above_title = (
            headline_index is not None
            and index < headline_index
            and title == paragraphs[headline_index]
        )
        if is_repeat or (above_title and looks_like_headline(paragraph)):
            removed.append(paragraph)
            continue
        body.append(paragraph)
    return title, body


def _is_boilerplate_title(title: str, rules: BoilerplateRules) -> bool:
    """A reader's title that is site furniture: «Новости», «Главная», a menu line."""
    line = " ".join(title.split())
    return (
        normalize_line(line) in rules.drop_exact
        or normalize_line(line) in rules.cut_exact
        or any(p.search(line) for p in rules.drop_patterns)
        or not any(ch.isalpha() for ch in line)
    )


def _same_title(line: str, given: str) -> bool:
    a, b = _key(line), _key(given)
    if not a or not b:
        return False
    return a == b or a in b or b in a or fuzz.ratio(a, b) >= TITLE_REPEAT_RATIO


def title_from_sentence(paragraph: str, limit: int = TITLE_MAX_CHARS) -> str:
    """A title for an article printed without one: its first sentence, shortened.

    Cut at a clause boundary («, », « — », «: ») in the second half of the allowed length,
    else at the last word boundary, never inside «…» quotes, then «…» is appended.
    """
    sentences = [s.text for s in sentenize(paragraph)]
    first = (sentences[0] if sentences else paragraph).strip()
    if len(first) <= limit:
        return first.rstrip(".").rstrip() if not first.endswith("...") else first
    room = first[: limit - 1]
    cut = None
    for marker in (", ", " — ", " – ", ": ", "; "):
        position = room.rfind(marker)
        if position >= limit // 2 and (cut is None or position > cut):
            cut = position
    if cut is None:
        cut = room.rfind(" ")
        if cut <= 0:
            cut = len(room)
    short = room[:cut]
    if short.count("«") > short.count("»"):
        quote = short.rfind("«")
        if quote >= 40:
            short = short[:quote]
    short = short.rstrip(' ,;:—–-(«"')
    return short + "…"


def _trim_tail(paragraphs: list[str], removed: list[str]) -> list[str]:
    """Drop short non-sentence lines after the last paragraph: leftover menu or link items."""
    paragraphs = list(paragraphs)
    while len(paragraphs) > 1:
        last = paragraphs[-1]
        if len(words(last)) < 6 and not _SENTENCE_END.search(last):
            removed.append(paragraphs.pop())
            continue
        break
    return paragraphs
