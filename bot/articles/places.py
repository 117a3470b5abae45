"""Places mentioned in an article, in the nominative, for the events filter (`/events Тюмень`).

Why a module of our own: the texts name places in whatever case the sentence needs («в
Тюмени», «Мурманской области», «в Великом Новгороде»), and a filter must compare them in one
form. Three sources, tried in this order at every position of the text:

1. the gazetteer in ``data/places.toml`` — multiword names and aliases that the rules below
   would get wrong («Великий Новгород», «Республика Карелия» ← «Карелия»); its inflected
   forms are generated with pymorphy3, so the file lists nominatives only;
2. «<Adjective> [автономный…] область | край | округ | республика», the adjective put into the
   nominative in agreement with the noun («Мурманской области» → «Мурманская область»;
   «Иркутской и Челябинской областей» → both regions);
   and «Республика <Name>» («Республики Татарстан» → «Республика Татарстан»);
3. single words pymorphy3 tags ``Geox`` («Тюмени» → «Тюмень»).

False positives are filtered on purpose rather than tolerated, because a wrong place sends a
specialist to the wrong event: a place must be capitalised in the source; a Geox reading must
not lose to a person-name reading («Губкин» after «Иван»); names inside short «…» quotes are
organisation or project names, not venues; country-level names (Россия, РФ) are dropped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from bot.datafile import PlacesSpec, data_path, read_data
from bot.text import morph
from bot.text.normalize import normalize

_TOKEN_RE = re.compile(r"[A-Za-zА-Яа-яЁё]+(?:-[A-Za-zА-Яа-яЁё]+)*")
_QUOTE_RE = re.compile("[«»]")
# What may stand between two words of one multiword name.
_JOIN_RE = re.compile(r"[\s\-‐‑–—()]*")
# Nouns that make a region with an adjective in front («Мурманская область»).
_REGION_NOUNS = {"область": "femn", "край": "masc", "округ": "masc", "республика": "femn"}
# Lower-case adjectives allowed between the proper adjective and the noun.
_MIDDLE_ADJ = {"автономный", "федеральный", "городской", "муниципальный", "народный"}
# Words after which a Geox reading wins even against a surname reading («в Губкине»).
_PLACE_PREPS = {
    "в",
    "во",
    "из",
    "изо",
    "до",
    "под",
    "около",
    "возле",
    "г",
    "город",
    "города",
    "городе",
    "городом",
    "село",
    "селе",
    "поселок",
    "поселке",
    "пос",
}
_PERSON_GRAMMEMES = ("Name", "Surn", "Patr")
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct", "loc2")
# Quotes longer than this are speech, not names; places in speech count.
_MAX_NAME_QUOTE_WORDS = 8
# Lower-case parts of hyphenated names («Ростов-на-Дону»).
_LOWER_PARTS = {"на", "де", "ла", "ле", "дю"}


class _Token:
    """One word of the text. A plain slotted class, not a dataclass: a text of a few
    thousand characters makes hundreds of them, and every field is read many times."""

    __slots__ = ("text", "norm", "start", "end", "capitalised")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text  # as written
        self.norm = normalize(text)  # lower case, ё → е
        self.start = start
        self.end = end
        self.capitalised = text[:1].isupper()


def _capitalise(name: str) -> str:
    """Title-case a place name the Russian way: each word and hyphen part, particles excepted."""
    out = []
    for word in name.split(" "):
        parts = word.split("-")
        parts = [
            p if (i and p in _LOWER_PARTS) else p[:1].upper() + p[1:] for i, p in enumerate(parts)
        ]
        out.append("-".join(parts))
    return " ".join(out)


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


# ---------------------------------------------------------------- gazetteer


def _nominative_parse(word: str, last: bool):
    """The reading of a nominative word in a name: an adjective before another word
    («Набережные Челны», not the noun «набережная»), else a noun (Geox first)."""
    parses = [p for p in morph.parses(word) if "nomn" in p.tag]
    order = ["Geox", "NOUN", "ADJF"] if last else ["ADJF", "Geox", "NOUN"]
    for want in order:
        for p in parses:
            if want in p.tag:  # POS and Geox are both grammemes
                return p
    return None


def _phrase_forms(name: str, case: str) -> str | None:
    """``name`` (nominative) put into ``case``: words up to the first noun agree, the rest stay."""
    words = normalize(name).replace("(", " ").replace(")", " ").replace("—", " ").split()
    parsed = [_nominative_parse(w, i == len(words) - 1) for i, w in enumerate(words)]
    head = next((i for i, p in enumerate(parsed) if p is not None and p.tag.POS == "NOUN"), None)
    if head is None:
        return None
    number = parsed[head].tag.number or "sing"
    gender = parsed[head].tag.gender
    out = []
    for i, (w, p) in enumerate(zip(words, parsed, strict=True)):
        if i > head or p is None or "Fixd" in p.tag:
            out.append(w)
            continue
        grammemes = {case, number}
        if p.tag.POS == "ADJF" and number == "sing" and gender:
            grammemes.add(gender)
        form = p.inflect(grammemes)
        if form is None:
            return None
        out.append(normalize(form.word))
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    forms: dict[tuple[str, ...], str]  # token sequence (any case) → canonical name
    max_len: int
    aliases: dict[str, str]  # normalised single name → canonical name
    exclude: frozenset[str]  # normalised canonical names to drop
    not_places: frozenset[str]  # normalised Geox lemmas that are not places here
    canonical: tuple[str, ...]  # every canonical name listed
    first_words: frozenset[str]  # the first token of every form: no other token starts one


def _key(name: str) -> tuple[str, ...]:
    return tuple(t.norm for t in _tokens(name))


def _gazetteer(path: Path | None = None) -> _Gazetteer:
    """The gazetteer from ``places.toml`` in DATA_DIR (validated; cached per path)."""
    return _load_gazetteer(path or data_path("places.toml"))


@cache
def _load_gazetteer(path: Path) -> _Gazetteer:
    data = read_data(path, PlacesSpec)
    forms: dict[tuple[str, ...], str] = {}
    aliases: dict[str, str] = {}
    canonical: list[str] = []
    for entry in data.get("place", []):
        name = entry["name"]
        canonical.append(name)
        for variant in [name, *entry.get("aliases", [])]:
            aliases[normalize(variant)] = name
            forms.setdefault(_key(variant), name)
            for case in _CASES:
                inflected = _phrase_forms(variant, case)
                if inflected:
                    forms.setdefault(_key(inflected), name)
    return _Gazetteer(
        forms=forms,
        max_len=max((len(k) for k in forms), default=1),
        aliases=aliases,
        exclude=frozenset(normalize(x) for x in data.get("exclude", [])),
        not_places=frozenset(normalize(x) for x in data.get("not_places", [])),
        canonical=tuple(canonical),
        first_words=frozenset(key[0] for key in forms if key),
    )


# ---------------------------------------------------------------- recognisers


def _joined(text: str, tokens: list[_Token], i: int, j: int) -> bool:
    """Tokens i..j-1 are separated only by spaces, dashes or brackets (one name, not two)."""
    return all(
        _JOIN_RE.fullmatch(text[tokens[k].end : tokens[k + 1].start]) for k in range(i, j - 1)
    )


def _match_gazetteer(
    text: str, tokens: list[_Token], i: int, gaz: _Gazetteer
) -> tuple[str, int] | None:
    if not tokens[i].capitalised and not tokens[i].text.isupper():
        return None
    if tokens[i].norm not in gaz.first_words:
        return None
    for n in range(min(gaz.max_len, len(tokens) - i), 0, -1):
        key = tuple(t.norm for t in tokens[i : i + n])
        name = gaz.forms.get(key)
        if name and _joined(text, tokens, i, i + n):
            if n == 1 and name == normalize(name):
                continue
            return name, i + n
    return None


# The readings below depend on the word alone: cached, since a text asks for the same
# capitalised words again and again (pymorphy3's parses are cached too, but not the loops).
@lru_cache(maxsize=50_000)
def _adjective_parse(word: str):
    """A relational adjective reading (мурманский), not a qualitative or pronominal one."""
    for p in morph.parses(word):
        if p.tag.POS == "ADJF" and not ({"Qual", "Apro", "Anum"} & p.tag.grammemes):
            return p
    return None


@lru_cache(maxsize=50_000)
def _region_noun(word: str):
    for p in morph.parses(word):
        if p.tag.POS == "NOUN" and p.normal_form in _REGION_NOUNS:
            return p
    return None


def _match_region(text: str, tokens: list[_Token], i: int) -> tuple[list[str], int] | None:
    """«Мурманской области», «Ханты-Мансийского автономного округа», «Иркутской и
    Челябинской областей», «Республики Татарстан» → nominative names, next token index."""
    tok = tokens[i]
    if not tok.capitalised:
        return None
    # «Республика <Name>»
    noun = _region_noun(tok.norm)
    if noun is not None and noun.normal_form == "республика" and i + 1 < len(tokens):
        nxt = tokens[i + 1]
        if nxt.capitalised and _joined(text, tokens, i, i + 2):
            geo = next((p for p in morph.parses(nxt.norm) if "Geox" in p.tag), None)
            base = geo.normal_form if geo is not None else nxt.norm
            return [f"Республика {_capitalise(base)}"], i + 2
        return None
    # <Adj> [, <Adj>]* [и <Adj>] [middle adj]* <noun>
    adjectives: list[int] = []
    k = i
    while k < len(tokens):
        t = tokens[k]
        if t.capitalised and _adjective_parse(t.norm) is not None:
            adjectives.append(k)
            k += 1
            if k < len(tokens) and tokens[k].norm == "и":
                k += 1
                continue
            if k < len(tokens) and text[tokens[k - 1].end : tokens[k].start].strip() == ",":
                continue
            break
        break
    if not adjectives:
        return None
    k = adjectives[-1] + 1  # an «и» or a comma not followed by an adjective ends the list
    middle: list[int] = []
    while k < len(tokens) and (
        (p := _adjective_parse_any(tokens[k].norm)) is not None and p.normal_form in _MIDDLE_ADJ
    ):
        middle.append(k)
        k += 1
    if k >= len(tokens):
        return None
    noun_tok = tokens[k]
    noun = _region_noun(noun_tok.norm)
    if noun is None:
        return None
    # The last adjective must be next to the noun (through the middle adjectives only).
    if not _joined(text, tokens, adjectives[-1], k + 1):
        return None
    if len(adjectives) > 1 and noun.tag.number != "plur":
        adjectives = adjectives[-1:]
    gender = _REGION_NOUNS[noun.normal_form]
    noun_word = noun.normal_form
    if noun_word == "республика":
        noun_word = "Республика"
    mids = []
    for m in middle:
        word = _nominative_adjective(tokens[m].norm, gender, relational=False) or tokens[m].norm
        mids.append(_capitalise(word) if tokens[m].capitalised else word)
    names = []
    for a in adjectives:
        nominative = _nominative_adjective(tokens[a].norm, gender, relational=True)
        if nominative is None:
            return None
        names.append(" ".join([_capitalise(nominative), *mids, noun_word]))
    return names, k + 1


@lru_cache(maxsize=50_000)
def _nominative_adjective(word: str, gender: str, relational: bool) -> str | None:
    """The adjective in the nominative singular of ``gender`` («мурманской» → «мурманская»),
    read as a relational adjective or as any; None when it cannot be put there."""
    p = _adjective_parse(word) if relational else _adjective_parse_any(word)
    form = p.inflect({"nomn", "sing", gender}) if p is not None else None
    return str(form.word) if form is not None else None


@lru_cache(maxsize=50_000)
def _adjective_parse_any(word: str):
    return next((p for p in morph.parses(word) if p.tag.POS == "ADJF"), None)


def _sentence_initial(text: str, tok: _Token) -> bool:
    before = text[: tok.start].rstrip(' \t"«„“(—–-')
    return not before or before[-1] in ".!?…\n"


@lru_cache(maxsize=50_000)
def _geox_reading(word: str) -> tuple[bool, bool, Any] | None:
    """What the place test needs of a word's readings, None when none is a Geox noun:
    (does the place reading outweigh a person's and an adjective's, is the likeliest
    reading a place, the best place reading)."""
    parses = morph.parses(word)
    geo = [p for p in parses if "Geox" in p.tag and p.tag.POS == "NOUN"]
    if not geo:
        return None
    geo_score = sum(p.score for p in geo)
    person_score = sum(p.score for p in parses if any(g in p.tag for g in _PERSON_GRAMMEMES))
    adjective_score = sum(p.score for p in parses if p.tag.POS == "ADJF")
    # «Мончегорского дома-интерната»: an adjective that pymorphy3 also knows as a place.
    outweighs = not (person_score > geo_score or adjective_score >= geo_score)
    return outweighs, "Geox" in parses[0].tag, max(geo, key=lambda p: p.score)


@lru_cache(maxsize=50_000)
def _name_or_patronymic(word: str) -> bool:
    top = morph.parses(word)[0]
    return "Name" in top.tag or "Patr" in top.tag


def _match_geox(text: str, tokens: list[_Token], i: int, gaz: _Gazetteer) -> str | None:
    tok = tokens[i]
    if not tok.capitalised or tok.norm in gaz.not_places:
        return None
    reading = _geox_reading(tok.norm)
    if reading is None:
        return None
    outweighs, geox_first, best = reading
    prev = tokens[i - 1] if i > 0 else None
    after_prep = (
        prev is not None and prev.norm in _PLACE_PREPS and _joined(text, tokens, i - 1, i + 1)
    )
    if not after_prep:
        if not outweighs:
            return None
        if _sentence_initial(text, tok) and not geox_first:
            return None
        # A neighbour that is a first name or patronymic makes this a surname.
        for j in (i - 1, i + 1):
            if (
                0 <= j < len(tokens)
                and tokens[j].capitalised
                and _joined(text, tokens, min(i, j), max(i, j) + 1)
            ):
                if _name_or_patronymic(tokens[j].norm):
                    return None
    if best.normal_form.replace("ё", "е") in gaz.not_places:
        return None
    if "Abbr" in best.tag:
        return best.normal_form.upper()
    return _capitalise(best.normal_form)


def _quoted_names(text: str) -> list[tuple[int, int]]:
    """Spans inside short «…» quotes (names of projects, organisations, programmes)."""
    spans, stack = [], []
    for quote in _QUOTE_RE.finditer(text):  # the quotes only, not every character
        pos, ch = quote.start(), quote.group()
        if ch == "«":
            stack.append(pos)
        elif ch == "»" and stack:
            start = stack.pop()
            if not stack and len(text[start:pos].split()) <= _MAX_NAME_QUOTE_WORDS:
                spans.append((start, pos))
    return spans


def _canonical(name: str, gaz: _Gazetteer) -> str | None:
    name = gaz.aliases.get(normalize(name), name)
    if normalize(name) in gaz.exclude:
        return None
    return name


# ---------------------------------------------------------------- public API


def find_places_with_spans(text: str) -> list[tuple[str, int]]:
    """Every place mention as (canonical name, character offset), in text order, repeats kept.

    Events use the offsets to pick the place nearest to a date.
    """
    gaz = _gazetteer()
    tokens = _tokens(text)
    quoted = _quoted_names(text)
    quoted_starts = [a for a, _ in quoted]
    found: list[tuple[str, int]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok.capitalised:  # every recogniser below wants a capital letter first
            i += 1
            continue
        # The spans are outermost quotes, so disjoint and in order: the only one that can
        # hold this token is the last one opening before it (a bisection, not a scan of
        # every quote — that made a long text with many quotes quadratic).
        k = bisect.bisect_left(quoted_starts, tok.start) - 1
        if k >= 0 and tok.start < quoted[k][1]:
            i += 1
            continue
        hit = _match_gazetteer(text, tokens, i, gaz)
        if hit:
            names, nxt = [hit[0]], hit[1]
        else:
            region = _match_region(text, tokens, i)
            if region:
                names, nxt = region
            else:
                geo = _match_geox(text, tokens, i, gaz)
                names, nxt = ([geo] if geo else []), i + 1
        for name in names:
            canonical = _canonical(name, gaz)
            if canonical:
                found.append((canonical, tok.start))
        i = nxt
    return found


def find_places(text: str) -> list[str]:
    """Places named in ``text``, nominative, unique, in order of first mention.

    «в Тюмени» → «Тюмень», «Мурманской области» → «Мурманская область», «в Великом
    Новгороде» → «Великий Новгород»; «России» and «Российской Федерации» are left out.
    """
    seen: dict[str, None] = {}
    for name, _ in find_places_with_spans(text):
        seen.setdefault(name, None)
    return list(seen)


_QUERY_PREPS = {"в", "во", "из", "на", "по", "г", "город", "для"}


def normalize_place(query: str) -> str | None:
    """Map what a user types after ``/events`` to the canonical name ``find_places`` gives.

    «тюмень», «Тюмени», «в тюмени» → «Тюмень»; «мурманская», «мурманской области» →
    «Мурманская область»; «карелия» → «Республика Карелия». None when it is no place we know.
    A lone adjective becomes a region by its gender (feminine → область, masculine → край)
    unless the gazetteer lists a region starting with it («удмуртская» → «Удмуртская
    Республика»).
    """
    words = [w for w in _TOKEN_RE.findall(query)]
    while words and normalize(words[0]) in _QUERY_PREPS:
        words = words[1:]
    if not words:
        return None
    gaz = _gazetteer()
    titled = " ".join(_capitalise(normalize(w)) for w in words)
    alias = gaz.aliases.get(normalize(titled))
    if alias:
        return _canonical(alias, gaz)
    # «в тюмени» → «В Тюмени» reads as a place after a preposition.
    found = find_places(f"в {titled}")
    if found:
        return found[0]
    if len(words) == 1:
        p = _adjective_parse(normalize(words[0]))
        if p is not None:
            lemma = p.normal_form
            for name in gaz.canonical:
                first = normalize(name.split()[0])
                adj = _adjective_parse(first)
                if adj is not None and adj.normal_form == lemma:
                    return name
            gender = p.tag.gender
            noun = {"femn": "область", "masc": "край"}.get(gender or "")
            if noun:
                form = p.inflect({"nomn", "sing", gender})
                if form is not None:
                    return _canonical(f"{_capitalise(form.word)} {noun}", gaz)
    return None


def _lemmas(name: str) -> set[str]:
    out = set()
    for tok in _tokens(name):
        parses = morph.parses(tok.norm)
        out.add(normalize(parses[0].normal_form) if parses else tok.norm)
    return out


def place_matches(query: str, place: str | None) -> bool:
    """Does an event's ``place`` satisfy the user's filter ``query``?

    Equal canonical names match; so does a query whose words (as lemmas) are all in the place
    («Новгород» matches «Великий Новгород», «мурманская» matches «Мурманская область»). A city
    does not match its region («Тюмень» ≠ «Тюменская область»): different words, and a
    filter that silently widens would list events far from the city.
    """
    if not place or not query.strip():
        return False
    canonical = normalize_place(query)
    if canonical is not None and normalize(canonical) == normalize(place):
        return True
    words = [w for w in _TOKEN_RE.findall(query) if normalize(w) not in _QUERY_PREPS]
    if not words:
        return False
    query_lemmas = _lemmas(canonical) if canonical else _lemmas(" ".join(words))
    return bool(query_lemmas) and query_lemmas <= _lemmas(place)


def _regions(path: Path | None = None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """City → region and region → cities, from the ``[regions]`` table of places.toml
    (keys compared in lower case with ё = е)."""
    return _load_regions(path or data_path("places.toml"))


@cache
def _load_regions(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    table = read_data(path, PlacesSpec)["regions"]
    region_of: dict[str, str] = {}
    cities_of: dict[str, list[str]] = {}
    for city, region in table.items():
        region_of[normalize(city)] = region
        cities_of.setdefault(normalize(region), []).append(city)
    return region_of, cities_of


def nearby_places(name: str) -> list[str]:
    """The place and what an events filter on it should also find: a city's region (events
    are often stored under the region the article named) or a region's cities."""
    region_of, cities_of = _regions()
    key = normalize(name)
    out = [name]
    if key in region_of:
        out.append(region_of[key])
    out.extend(cities_of.get(key, []))
    return out


def region_names() -> list[str]:
    """Every region the [regions] table of places.toml knows, as it spells them."""
    names: dict[str, str] = {}
    region_of_city, _ = _regions()
    for region in region_of_city.values():
        names.setdefault(normalize(region), region)
    return sorted(names.values())


def region_of(text: str) -> str | None:
    """The region a typed city or region name stands for («Тюмень», «в Тюмени», «тюменская
    область» → «Тюменская область»), or None. Cities come from the [regions] table; any
    inflection is read through lemmas, so «Екатеринбурге» finds «Екатеринбург»."""
    region_of_city, _ = _regions()
    words = [w for w in _TOKEN_RE.findall(text) if normalize(w) not in _QUERY_PREPS]
    wanted = _lemmas(" ".join(words))
    if not wanted:
        return None
    for name in region_names():
        if _lemmas(name) == wanted:
            return name
    for city, region in region_of_city.items():
        if _lemmas(city) == wanted:
            return region
    return None
