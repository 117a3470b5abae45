"""Russian date expressions in news text: single days, ranges, bounds, months, times.

Hand-written on purpose. No maintained library does what the articles need: dateparser
(considered) parses one date at a time — «с 23 по 25 октября» and «23–25 октября 2024 г.»
are ranges it does not return, «до 18 октября» is a bound, and a date with no year must take
its year from the article's publication date, not from the machine's clock. Everything here
is regular expressions over the text plus a year-inference rule; nothing is guessed that the
text does not say:

* a date without a year and without a reference date is skipped, never completed with the
  current year;
* impossible dates (31 февраля) are rejected, so are years outside 1900–2099;
* bare numbers are not dates: «2011 года», «70 регионов», «Профи-2025», «№ 203», times and
  phone numbers give nothing; a numeric date needs its year («18.06.2024», «18.06.24»), since
  «15.30» is a time.

The year of a date without one is the candidate (ref's year −1, 0, +1) nearest to ``ref``,
where a date in the past counts double its distance: news announce more than they look back,
so «в марте» written on 20 November means next March, while «18 декабря» written on 5
February is the December just gone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Literal

from bot.articles.sentences import sentenize

Kind = Literal["day", "range", "until", "month"]

# fmt: off
_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря"]
_NOM = ["январь", "февраль", "март", "апрель", "май", "июнь",
        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"]
_PREP = ["январе", "феврале", "марте", "апреле", "мае", "июне",
         "июле", "августе", "сентябре", "октябре", "ноябре", "декабре"]
# fmt: on
# Abbreviations, accepted only after a day number («5 окт. 2024»).
_ABBR = {"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8}
_ABBR |= {"сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12}

MONTHS_GENITIVE: tuple[str, ...] = tuple(_GEN)
MONTHS_NOMINATIVE: tuple[str, ...] = tuple(_NOM)

_MONTH_OF: dict[str, int] = {}
for _i, (_g, _n, _p) in enumerate(zip(_GEN, _NOM, _PREP, strict=True), start=1):
    _MONTH_OF[_g] = _MONTH_OF[_n] = _MONTH_OF[_p] = _i
_MONTH_OF.update(_ABBR)


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# Day-month: genitive names, or an abbreviation with an optional dot.
_M_GEN = rf"(?:{_alt(_GEN)}|(?:{_alt(_ABBR)})\.?)(?![а-яё])"
_M_NOM = rf"(?:{_alt(_NOM)})(?![а-яё])"
_M_PREP = rf"(?:{_alt(_PREP)})(?![а-яё])"
_DASH = r"[-‐‑‒–—−]"
_YEAR_WORD = r"(?:\s*(?:года|году|год|гг?\.?)(?![а-яё]))?"


def _year(name: str) -> str:
    return rf"(?P<{name}>(?:19|20)\d\d)(?!\d){_YEAR_WORD}"


def _day(name: str, after_dash: bool = False) -> str:
    if after_dash:  # the second day of «16-18 октября»
        return rf"(?<!\d)(?P<{name}>[0-3]?\d)"
    return rf"(?<![\w.,/:№-])(?P<{name}>[0-3]?\d)"


_F = re.IGNORECASE
_SEP = rf"(?P<sep>\s*{_DASH}\s*|\s+(?:по|до)\s+)"
_PRE = r"(?:(?<![\w])(?P<pre>[сc]о?)\s+)?"

# «с 30 сентября по 2 октября», «30 сентября – 2 октября 2024», «28 декабря 2026 – 10 января 2027»
_RANGE_2M = re.compile(
    rf"{_PRE}{_day('d1')}\s+(?P<m1>{_M_GEN})(?:\s+{_year('y1')})?"
    rf"{_SEP}{_day('d2', True)}\s+(?P<m2>{_M_GEN})(?:\s+{_year('y2')})?",
    _F,
)
# «с 23 по 25 октября», «c 23 по 25 октября», «23–25 октября 2024 г.», «16-18 октября»
_RANGE_1M = re.compile(
    rf"{_PRE}{_day('d1')}{_SEP}{_day('d2', True)}\s+(?P<m2>{_M_GEN})(?:\s+{_year('y2')})?", _F
)
# «16 октября 2024 года», «18 октября», «1 марта 2027 г.»
_DAY = re.compile(rf"{_day('d')}\s+(?P<m>{_M_GEN})(?:\s+{_year('y')})?", _F)
# «18/06/2024», «18.06.2024», «18.06.24», «18-06-2024»
_NUMERIC = re.compile(
    r"(?<![\w.,/:+-])(?P<d>[0-3]?\d)(?P<s>[./-])(?P<m>[01]?\d)(?P=s)(?P<y>\d{4}|\d{2})"
    r"(?![\w/:-]|[.,]\d)",
    _F,
)
# «2025-12-24»
_ISO = re.compile(
    r"(?<![\w.,/:+-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d/:-]|[.,]\d)"
)
# «в марте 2027 года», «в мае», «в конце декабря»
_MONTH_IN = re.compile(
    rf"(?<![\w])во?\s+(?:(?P<m>{_M_PREP})|(?:начале|конце|середине)\s+(?P<mg>{_alt(_GEN)})(?![а-яё]))"
    rf"(?:\s+{_year('y')})?",
    _F,
)
# «март 2027», «Март 2027 года»
_MONTH_NOM = re.compile(rf"(?<![\w])(?P<m>{_M_NOM})\s+{_year('y')}", _F)
_DIGIT = re.compile(r"\d")
_MONTH_GENITIVE = re.compile(_M_GEN, _F)
# «до 18 октября», «не позднее 1 марта»: the text just before a day.
_UNTIL_BEFORE = re.compile(r"(?:(?<![\w])до|не\s+позднее)\s+$", _F)
# Between two full dates: «с X по Y», «X – Y».
_BETWEEN = re.compile(rf"^(?:\s*{_DASH}\s*|\s+(?:по|до)\s+)$", _F)
_WITH_PRE = re.compile(r"(?:(?<![\w])[сc]о?)\s+$", _F)

# «10:00», «в 15.30» (a dot only after в/с/до/начало or before ч/МСК: «12.50 руб.» is money)
_TIME = re.compile(
    r"(?<![\w.:,/])(?P<h>[01]?\d|2[0-3])(?P<sep>[:.])(?P<mi>[0-5]\d)(?![\w]|[.:,]\d)", _F
)
_TIME_DOT_BEFORE = re.compile(r"(?:(?<![\w])(?:в|с|со|до|начало|начала|начале)\s+)$", _F)
_TIME_DOT_AFTER = re.compile(r"^\s*(?:ч\b|час|мск|\(мск)", _F)


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression found in a text.

    ``start``/``end`` are equal for a day and for a bound («до 18 октября»: the bound day);
    a month covers its first to last day. ``span`` is the character range in the text.
    ``year_explicit`` tells a written year from one inferred from ``ref``.
    """

    start: date
    end: date
    kind: Kind
    time: time | None
    span: tuple[int, int]
    year_explicit: bool


def _int_year(s: str | None) -> int | None:
    if s is None:
        return None
    y = int(s)
    if len(s) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _month(word: str) -> int:
    return _MONTH_OF[word.lower().rstrip(".").replace("ё", "е")]


def _interval_distance(start: date, end: date, ref: date) -> int:
    """Days from ``ref`` to the interval; the past counts double (news announce more)."""
    if start > ref:
        return (start - ref).days
    if end < ref:
        return 2 * (ref - end).days
    return 0


_MAX_INFERRED_DISTANCE = 250  # weighted days; see _infer


def _infer(build: Callable[[int], tuple[date, date]], ref: date | None) -> tuple[date, date] | None:
    """Pick a year for ``build(year) -> (start, end)`` (may raise ValueError) around ``ref``."""
    if ref is None:
        return None
    best: tuple[int, tuple[date, date]] | None = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            start, end = build(y)
        except ValueError:
            continue
        if start > end:
            continue
        d = _interval_distance(start, end, ref)
        if best is None or d < best[0]:
            best = (d, (start, end))
    # With every year possible the winner is never further than ~8 months (weighted); a
    # farther one means the near years were impossible (29 февраля): don't guess.
    if best is None or best[0] > _MAX_INFERRED_DISTANCE:
        return None
    return best[1]


@dataclass(slots=True)
class _Raw:
    """A date expression before years are settled: what the text says, and where."""

    span: tuple[int, int]
    kind: Kind
    d1: int | None
    m1: int
    y1: int | None
    d2: int | None = None
    m2: int | None = None
    y2: int | None = None
    pre: bool = False  # «с» before the first day


def _raw_candidates(text: str) -> list[_Raw]:
    out: list[_Raw] = []
    if _DIGIT.search(text) is None:  # every pattern but «в марте» needs a digit (\d)
        for m in _MONTH_IN.finditer(text):
            out.append(_Raw(m.span(), "month", None, _month(m["m"] or m["mg"]), _int_year(m["y"])))
        return out
    if _MONTH_GENITIVE.search(text) is not None:  # each of the next three needs one
        for m in _RANGE_2M.finditer(text):
            if m["sep"].strip() in ("по", "до") and not m["pre"]:
                continue
            out.append(
                _Raw(
                    m.span(),
                    "range",
                    int(m["d1"]),
                    _month(m["m1"]),
                    _int_year(m["y1"]),
                    int(m["d2"]),
                    _month(m["m2"]),
                    _int_year(m["y2"]),
                    bool(m["pre"]),
                )
            )
        for m in _RANGE_1M.finditer(text):
            if m["sep"].strip() in ("по", "до") and not m["pre"]:
                continue
            mo = _month(m["m2"])
            out.append(
                _Raw(
                    m.span(),
                    "range",
                    int(m["d1"]),
                    mo,
                    None,
                    int(m["d2"]),
                    mo,
                    _int_year(m["y2"]),
                    bool(m["pre"]),
                )
            )
        for m in _DAY.finditer(text):
            out.append(_Raw(m.span(), "day", int(m["d"]), _month(m["m"]), _int_year(m["y"])))
    for m in _NUMERIC.finditer(text):
        y = m["y"]
        if len(y) == 2 and (len(m["d"]) != 2 or len(m["m"]) != 2):
            continue  # «1.2.24» is a version or a list number, not a date
        if m["s"] == "-" and len(y) != 4:
            continue  # «12-05-24» is more often a phone fragment
        out.append(_Raw(m.span(), "day", int(m["d"]), int(m["m"]), _int_year(y)))
    for m in _ISO.finditer(text):
        out.append(_Raw(m.span(), "day", int(m["d"]), int(m["m"]), int(m["y"])))
    for m in _MONTH_IN.finditer(text):
        out.append(_Raw(m.span(), "month", None, _month(m["m"] or m["mg"]), _int_year(m["y"])))
    for m in _MONTH_NOM.finditer(text):
        out.append(_Raw(m.span(), "month", None, _month(m["m"]), _int_year(m["y"])))
    return out


def _non_overlapping(cands: list[_Raw]) -> list[_Raw]:
    """Leftmost, then longest: «с 23 по 25 октября» wins over «25 октября» inside it."""
    cands.sort(key=lambda r: (r.span[0], -(r.span[1] - r.span[0])))
    out: list[_Raw] = []
    end = -1
    for r in cands:
        if r.span[0] >= end:
            out.append(r)
            end = r.span[1]
    return out


def _merge_day_pairs(text: str, raws: list[_Raw]) -> list[_Raw]:
    """«с 18.06.2024 по 20.06.2024», «1 марта 2027 г. – 3 марта 2027 г.»: two days → a range."""
    out: list[_Raw] = []
    i = 0
    while i < len(raws):
        a = raws[i]
        if i + 1 < len(raws) and a.kind == "day" and raws[i + 1].kind == "day":
            b = raws[i + 1]
            between = text[a.span[1] : b.span[0]]
            m = _BETWEEN.match(between)
            pre = _WITH_PRE.search(text[max(0, a.span[0] - 4) : a.span[0]])
            if m and (pre or between.strip() not in ("по", "до")):
                start = a.span[0] - (len(pre.group()) if pre else 0)
                out.append(
                    _Raw((start, b.span[1]), "range", a.d1, a.m1, a.y1, b.d1, b.m1, b.y1, bool(pre))
                )
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _resolve(r: _Raw, ref: date | None) -> tuple[date, date, bool] | None:
    """Dates for a raw mention, or None when impossible or the year cannot be known."""
    try:
        if r.kind in ("day", "until"):
            day = r.d1
            assert day is not None  # a day (or «до» a day) always has its day
            if r.y1 is not None:
                d = date(r.y1, r.m1, day)
                return d, d, True
            got = _infer(lambda y: (date(y, r.m1, day),) * 2, ref)
            return (*got, False) if got else None
        if r.kind == "month":

            def build(y: int) -> tuple[date, date]:
                return date(y, r.m1, 1), date(y, r.m1, calendar.monthrange(y, r.m1)[1])

            if r.y1 is not None:
                return (*build(r.y1), True)
            got = _infer(build, ref)
            return (*got, False) if got else None
        # range
        assert r.d1 is not None and r.d2 is not None and r.m2 is not None
        if r.y1 is not None and r.y2 is not None:
            s, e = date(r.y1, r.m1, r.d1), date(r.y2, r.m2, r.d2)
            return (s, e, True) if s <= e else None
        if r.y1 is not None or r.y2 is not None:
            if r.y2 is not None:
                y2 = r.y2
                e = date(y2, r.m2, r.d2)
                s = date(y2, r.m1, r.d1)
                if s > e:  # «с 28 декабря по 10 января 2027 года»
                    s = date(y2 - 1, r.m1, r.d1)
            else:
                assert r.y1 is not None
                s = date(r.y1, r.m1, r.d1)
                e = date(r.y1, r.m2, r.d2)
                if e < s:
                    e = date(r.y1 + 1, r.m2, r.d2)
            return (s, e, True) if s <= e else None

        m1, d1, m2, d2 = r.m1, r.d1, r.m2, r.d2  # narrowed by the assert above, for the closure

        def build_range(y: int) -> tuple[date, date]:
            s = date(y, m1, d1)
            e = date(y if m2 >= m1 else y + 1, m2, d2)
            return s, e

        if m1 == m2 and d1 > d2:
            return None  # «25–23 октября»
        got = _infer(build_range, ref)
        return (*got, False) if got else None
    except ValueError:
        return None


def _times(text: str) -> list[tuple[int, time]]:
    out = []
    for m in _TIME.finditer(text):
        if m["sep"] == "." and not (
            _TIME_DOT_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
            or _TIME_DOT_AFTER.match(text[m.end() : m.end() + 8])
        ):
            continue
        out.append((m.start(), time(int(m["h"]), int(m["mi"]))))
    return out


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.stop) for s in sentenize(text)]


def _attach_times(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """Give each day/range/bound the nearest time stated in the same sentence."""
    times = [t for t in _times(text) if not any(m.span[0] <= t[0] < m.span[1] for m in mentions)]
    if not times or not mentions:
        return mentions
    bounds = _sentence_bounds(text)

    def sentence_of(pos: int) -> int:
        for i, (a, b) in enumerate(bounds):
            if a <= pos < b:
                return i
        return -1

    out = []
    for m in mentions:
        if m.kind == "month":
            out.append(m)
            continue
        sid = sentence_of(m.span[0])
        near = [
            (min(abs(pos - m.span[0]), abs(pos - m.span[1])), t)
            for pos, t in times
            if sentence_of(pos) == sid
        ]
        out.append(replace(m, time=min(near)[1]) if near else m)
    return out


def find_dates(text: str, ref: date | None = None) -> list[DateMention]:
    """Every date expression in ``text``, in order, with years settled against ``ref``.

    ``ref`` is the article's publication date; a mention with no year is dropped when ``ref``
    is None (never completed with the current year).
    """
    raws = _merge_day_pairs(text, _non_overlapping(_raw_candidates(text)))
    mentions: list[DateMention] = []
    for r in raws:
        if r.kind == "day":
            window_start = max(0, r.span[0] - 16)
            bound = _UNTIL_BEFORE.search(text[window_start : r.span[0]])
            if bound:
                r.kind = "until"
                r.span = (window_start + bound.start(), r.span[1])
        resolved = _resolve(r, ref)
        if resolved is None:
            continue
        start, end, explicit = resolved
        if not (1900 <= start.year <= 2100 and 1900 <= end.year <= 2100):
            continue
        kind: Kind = r.kind
        if kind == "range" and start == end:
            kind = "day"
        mentions.append(DateMention(start, end, kind, None, r.span, explicit))
    return _attach_times(text, mentions)


# ---------------------------------------------------------------- publication date

# The labels sites print before the publication date; «Обновлено» is not one (a later edit).
_LABEL = r"(?:date|published|дата(?:\s+(?:публикации|размещения|создания))?|опубликовано|размещено)"
_HEADER = re.compile(rf"^\s*{_LABEL}\s*[:：]?\s*", re.IGNORECASE)
# «Новосибирск, 27 ноября 2026 г.», «г. Тюмень, 16.10.2024»: a place (a few capitalised
# words) and a comma before the date — the dateline news agencies open a text with.
_DATELINE_PLACE = re.compile(
    r"^\s*(?:г\.\s*)?[А-ЯЁA-Z][а-яёa-z]+(?:[\s-]+[А-ЯЁа-яё][а-яё]+){0,3}\s*,\s*(?=\d)"
)
# What may follow a dateline's date on its line: a time, then the end or a dash into the lead.
_DATELINE_REST = re.compile(
    rf"^\s*(?:,?\s*(?:в\s*)?\d{{1,2}}[:.]\d\d(?:\s*(?:мск|\(мск\)))?)?\s*(?:$|{_DASH}\s*(?=\S)|\.\s*$)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-zа-яё]+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]\s*$|[.!?…]\s")
# Lines at either end of a text where a page prints its date (header and footer).
EDGE_LINES = 15
# «/2024/12/28/», «/20241228/», «/2024-12-28-title»: the date in a news URL's path.
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?P<s>[/-]?)(?P<m>[01]\d)(?P=s)(?P<d>[0-3]\d)(?=$|[/?#._-])"
)


def _leading_full_date(text: str) -> tuple[date, int] | None:
    """The date that opens ``text`` (a single day, year written) and where it ends."""
    for m in find_dates(text[:40]):
        if m.span[0] == 0 and m.kind == "day" and m.year_explicit:
            return m.start, m.span[1]
        break
    return None


def _bare_line_date(line: str) -> date | None:
    """«18/06/2024», «16 октября 2024 года», «18.06.2024 10:35»: a line that is only a date."""
    stripped = line.strip()
    if not stripped or len(stripped) > 40:
        return None
    mentions = find_dates(stripped)
    if len(mentions) != 1:
        return None
    m = mentions[0]
    if m.kind != "day" or not m.year_explicit:
        return None
    rest = (stripped[: m.span[0]] + " " + _TIME.sub(" ", stripped[m.span[1] :])).strip(" ,.|-–—\t")
    return m.start if not rest else None


def labelled_date(line: str) -> date | None:
    """«Опубликовано: 27.11.26 10:15», «Дата публикации 27 нояб. 2026»: a label, then a date."""
    m = _HEADER.match(line)
    if m and m.end() < len(line):
        found = _leading_full_date(line[m.end() :])
        if found:
            return found[0]
    return None


def dateline_date(line: str, whole: bool = True) -> date | None:
    """«Новосибирск, 27 ноября 2026 г.»: the date of a dateline.

    With ``whole`` the line must be only the dateline (and a time); otherwise a lead may
    follow it after a dash («Тюмень, 16.10.2024 — В городе открылся…»).
    """
    place = _DATELINE_PLACE.match(line)
    if not place or len(line) > 400:
        return None
    found = _leading_full_date(line[place.end() :])
    if not found:
        return None
    rest = line[place.end() + found[1] :]
    tail = _DATELINE_REST.match(rest)
    if tail is None or (whole and tail.end() < len(rest.rstrip())):
        return None
    return found[0]


def standalone_date(line: str) -> date | None:
    """The publication date a whole line states: a bare date, a labelled date or a dateline.

    Such a line is page furniture, not article text (``cleaning`` takes it out of the body).
    """
    stripped = line.strip()
    if not stripped or len(stripped) > 80 or not any(ch.isdigit() for ch in stripped):
        return None
    labelled = _HEADER.match(stripped)
    if labelled and labelled.end() < len(stripped):
        rest = stripped[labelled.end() :]
        d = _bare_line_date(rest)
        return d or (dateline_date(rest) if labelled.group().strip() else None)
    return _bare_line_date(stripped) or dateline_date(stripped)


def url_date(url: str | None) -> date | None:
    """The date in a news URL's path («/2024/12/28/», «/20241228/»), or None."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]*", "", url.strip(), flags=re.IGNORECASE)
    for m in _URL_DATE.finditer(path):
        try:
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
    return None


def publication_dates(text: str) -> list[date]:
    """Every publication-date candidate the text states, most trusted first.

    In this order: a labelled line («Дата публикации: 18.06.2024», «Опубликовано 27.11.26»)
    or a dateline («Новосибирск, 27 ноября 2026 г.») among the first or last ``EDGE_LINES``
    lines; a line that is only a date anywhere («18/06/2024» — scraped pages put it above or
    below the body); a dateline opening the lead paragraph («Тюмень, 16.10.2024 — …»), else
    the first full date of that paragraph («В Тюмени 16 октября 2024 года начала работу…»),
    the one guess here: a lead can name an event's day instead, which is why
    ``parse_publication_date`` drops a candidate later than the upload.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    edges = lines[:EDGE_LINES] + lines[EDGE_LINES:][-EDGE_LINES:]
    out: list[date] = []
    for line in edges:
        d = labelled_date(line) or dateline_date(line)
        if d:
            out.append(d)
    for line in lines:
        d = _bare_line_date(line)
        if d:
            out.append(d)
    for line in lines:
        if len(_WORD.findall(line)) >= 8 and _SENTENCE_END.search(line):
            d = dateline_date(line, whole=False)
            if d is None:
                d = next(
                    (m.start for m in find_dates(line) if m.kind == "day" and m.year_explicit),
                    None,
                )
            if d:
                out.append(d)
            break
    return list(dict.fromkeys(out))


def parse_publication_date(text: str, not_after: date | None = None) -> date | None:
    """The article's publication date, or None when the text does not state one.

    The first of ``publication_dates`` not later than ``not_after`` (the upload day: a page
    cannot have been published after it was uploaded, so a later date is an event's). Never
    inferred: seeds 001 and 003 have none.
    """
    for d in publication_dates(text):
        if not_after is None or d <= not_after:
            return d
    return None


# ---------------------------------------------------------------- formatting


def _is_whole_month(start: date, end: date) -> bool:
    return (
        start.day == 1
        and start.year == end.year
        and start.month == end.month
        and end.day == calendar.monthrange(end.year, end.month)[1]
    )


def format_date_range(
    start: date, end: date | None = None, time: time | None = None, tz_label: str = "МСК"
) -> str:
    """Dates the way people write them (and the way ``find_dates`` reads them back).

    «12 января 2027», «23–25 октября 2024», «30 сентября – 2 октября 2024», «28 декабря 2026 –
    10 января 2027», «март 2027» for a whole month; a time is appended as «, 10:00 МСК».
    """
    end = end or start
    if end < start:
        start, end = end, start
    if _is_whole_month(start, end) and start != end:
        text = f"{_NOM[start.month - 1]} {start.year}"
    elif start == end:
        text = f"{start.day} {_GEN[start.month - 1]} {start.year}"
    elif start.year != end.year:
        text = (
            f"{start.day} {_GEN[start.month - 1]} {start.year} – "
            f"{end.day} {_GEN[end.month - 1]} {end.year}"
        )
    elif start.month != end.month:
        text = f"{start.day} {_GEN[start.month - 1]} – {end.day} {_GEN[end.month - 1]} {end.year}"
    else:
        text = f"{start.day}–{end.day} {_GEN[end.month - 1]} {end.year}"
    if time is not None:
        text += f", {time:%H:%M}" + (f" {tz_label}" if tz_label else "")
    return text
