"""The directory of centres as admins send it: a .csv or .xlsx read and checked row by row.

The contract is the header row `name,kind,region,city,address,phones,hours,site,lat,lon`
(columns matched by name, so another order works too); the first five must be filled,
the last five may be empty. Every row is checked and every problem is reported with the
row's number as a spreadsheet shows it (the header is row 1), so an admin can fix the file
in one pass; a file-level problem (not a table, a wrong header, too many rows) is a
`DocumentError` whose message is one Russian line.

Why a region must be a region and not a city: a directory is data the organisation vouches
for, and a city in the region column usually means shifted or mixed-up columns; the row is
refused with the region to write instead, rather than silently moved. A city the
[regions] table of data/places.toml knows must lie in the row's region (a typo there would
hide the centre from everyone asking in the right region); a town it does not know is
taken as written, since the table lists only the larger ones.

`read_centres_table` runs in the upload worker process (`bot.articles.worker`: time limit,
memory cap), so a hostile file costs the worker, never the bot. Before openpyxl opens an
.xlsx, the zip limits of `bot.articles.limits` apply (parts, unpacked size, compression
ratio, XML depth, no DTD); at most MAX_ROWS rows are read.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

from bot.articles import limits
from bot.articles.errors import DocumentError, DocumentTooLarge, UnreadableDocument
from bot.articles.places import nearby_places, normalize_place, region_names, region_of
from bot.articles.readers import decode_text, decoding
from bot.store.base import CentreRow
from bot.text.morph import lemma
from bot.text.normalize import normalize, words

COLUMNS = ("name", "kind", "region", "city", "address", "phones", "hours", "site", "lat", "lon")
REQUIRED = COLUMNS[:5]
TABLE_EXTENSIONS = (".csv", ".xlsx")
MAX_ROWS = 5000  # every family-support centre of a large region fits many times over
MAX_COLUMNS = 30  # read of an .xlsx row: the contract has 10
# Longest accepted value per column: a longer one is a pasted paragraph or a shifted row,
# and five centres must still fit a message or two.
MAX_LENGTH = {
    "name": 150,
    "kind": 80,
    "region": 80,
    "city": 80,
    "address": 250,
    "phones": 150,
    "hours": 200,
    "site": 200,
    "lat": 30,
    "lon": 30,
}
MIN_PHONE_DIGITS = 5  # «2-34-56» in a small town
MAX_PHONE_DIGITS = 15  # E.164
_RESAVE = "сохраните таблицу заново в Excel (.xlsx) или как CSV и пришлите снова"
_PHONE_PART = re.compile(r"^\+?[\d\s()\-‐–.]+(?:\s*(?:доб\.?|добавочный|ext\.?)\s*\d{1,6})?$")
_REGION_SHORT = {"обл": "область", "респ": "республика", "авт": "автономный"}
_CITY_PREFIX = re.compile(r"^(?:г\.?|гор\.|город)\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_SEPARATORS_AS_SPACES = bytes.maketrans(b',;\t"', b"    ")
_PREPOSITIONS = frozenset({"в", "во", "на", "по", "из", "г", "город"})


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be stored: its spreadsheet number and every reason."""

    number: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CentreTable:
    """A read directory: the good rows and the bad ones, in file order."""

    rows: tuple[CentreRow, ...]
    bad: tuple[BadRow, ...]

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.bad)

    def regions(self) -> dict[str, int]:
        """Good rows per region, as the upload would replace them."""
        return dict(sorted(Counter(r.region for r in self.rows).items()))


def is_table_name(filename: str | None) -> bool:
    return (filename or "").lower().endswith(TABLE_EXTENSIONS)


def read_centres_table(data: bytes, filename: str) -> CentreTable:
    """Read and check a directory file (the worker's job: module level, plain data out)."""
    if filename.lower().endswith(".xlsx"):
        records = _xlsx_records(data)
    elif filename.lower().endswith(".csv"):
        records = _csv_records(data)
    else:
        raise UnreadableDocument("Справочник принимаю в .csv или .xlsx")
    return check_records(records)


# ---- reading ------------------------------------------------------------------------------
def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a CSV in any encoding, comma, semicolon or tab separated: the
    separator is the one that splits the header into the contract's names (Excel in a
    Russian locale saves with «;»), else what csv.Sniffer makes of the first lines."""
    text = _decode_csv(data)
    lines = text.split("\n")
    header = next((line for line in lines if line.strip()), "")
    delimiter = _delimiter(header, "\n".join(lines[:20]))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise UnreadableDocument(
            f"Не удалось разобрать CSV (строка {reader.line_num}): {exc} — {_RESAVE}"
        ) from None


def _decode_csv(data: bytes) -> str:
    """A CSV in any encoding. The code page is judged (charset-normalizer, then how Russian
    the text reads: `bot.articles.readers.decoding`) on a copy with separators and quotes
    as spaces — «Тюмень»;Семейный» is no word, «Тюмень» and «Семейный» are — and the file
    itself decoded with it."""
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: «;» may be half a letter
        return decode_text(data)
    _, codec = decoding(data.translate(_SEPARATORS_AS_SPACES))
    return data.decode(codec).replace("\r\n", "\n").replace("\r", "\n")


def _delimiter(header: str, sample: str) -> str:
    for delimiter in (",", ";", "\t"):
        names = next(csv.reader([header], delimiter=delimiter), [])
        if {_header_name(n) for n in names} >= set(REQUIRED):
            return delimiter
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first sheet of an .xlsx, read-only and streamed, after the
    zip limits; formulas as their last computed values."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableDocument(
            "Файл .xlsx повреждён или это не таблица Excel — " + _RESAVE
        ) from None
    with archive:
        limits.check_zip_archive(archive, ".xlsx", _RESAVE)
    from openpyxl import load_workbook  # imported in the worker, only for an .xlsx

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (DocumentError, MemoryError):
        raise
    except Exception:
        raise UnreadableDocument(
            "Файл .xlsx повреждён или это не таблица Excel — " + _RESAVE
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        for number, values in enumerate(rows, start=1):
            yield number, [_cell_text(v) for v in values]
    except (DocumentError, MemoryError):
        raise
    except Exception:
        raise UnreadableDocument("Не удалось прочитать лист .xlsx — " + _RESAVE) from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as text: a whole number without «.0» (phones typed as numbers), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ---- checking -----------------------------------------------------------------------------
def _header_name(cell: str) -> str:
    return cell.strip().strip("\ufeff").strip().lower()


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def check_records(records: Iterator[tuple[int, list[str]]]) -> CentreTable:
    """Check every row; a file without the contract's header is refused whole."""
    header: dict[str, int] | None = None
    good: list[CentreRow] = []
    bad: list[BadRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = _read_header(cells)
            continue
        if len(good) + len(bad) >= MAX_ROWS:
            raise DocumentTooLarge(
                f"В справочнике больше {MAX_ROWS} строк — разделите его на несколько файлов "
                "(например, по регионам)"
            )
        values = {name: _clean(cells[i]) if i < len(cells) else "" for name, i in header.items()}
        row, reasons = check_row(values)
        if row is not None:
            key = (normalize(row.name), normalize(row.address), row.region)
            if key in seen:
                reasons.append(f"повторяет строку {seen[key]} (то же название и адрес)")
            else:
                seen[key] = number
        if reasons or row is None:
            bad.append(BadRow(number, tuple(reasons)))
        else:
            good.append(row)
    if header is None:
        raise UnreadableDocument("Файл пустой: нужна строка заголовка и строки с центрами")
    if not good and not bad:
        raise UnreadableDocument("В файле только заголовок: добавьте строки с центрами")
    return CentreTable(tuple(good), tuple(bad))


def _read_header(cells: list[str]) -> dict[str, int]:
    names = [_header_name(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    missing = [c for c in COLUMNS if c not in names]
    extra = [n or "(пустое имя)" for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if missing or extra or repeated:
        problems = []
        if missing:
            problems.append("нет колонок: " + ", ".join(missing))
        if extra:
            problems.append("лишние: " + ", ".join(_short(e, 30) for e in extra[:5]))
        if repeated:
            problems.append("повторяются: " + ", ".join(repeated))
        raise UnreadableDocument(
            "Первая строка должна быть заголовком "
            + ",".join(COLUMNS)
            + " — "
            + "; ".join(problems)
        )
    return {name: names.index(name) for name in COLUMNS}


def check_row(values: dict[str, str]) -> tuple[CentreRow | None, list[str]]:
    """A row's centre, or None, and every reason it cannot be stored."""
    reasons = []
    empty = [c for c in REQUIRED if not values[c]]
    if empty:
        reasons.append("не заполнено: " + ", ".join(empty))
    long = [c for c in COLUMNS if len(values[c]) > MAX_LENGTH[c]]
    for column in long:
        reasons.append(f"{column} длиннее {MAX_LENGTH[column]} знаков")
    region = city = None
    if values["region"] and "region" not in long:
        region, problem = _check_region(values["region"])
        if problem:
            reasons.append(problem)
    if values["city"] and "city" not in long:
        city, problem = _check_city(values["city"], region)
        if problem:
            reasons.append(problem)
    lat, lon, problem = _check_coordinates(values["lat"], values["lon"])
    if problem:
        reasons.append(problem)
    if values["site"] and "site" not in long and not valid_site(values["site"]):
        reasons.append(
            f"site «{_short(values['site'], 40)}» — нужен адрес сайта с http:// или https://"
        )
    if values["phones"] and "phones" not in long:
        wrong = [p for p in _phone_parts(values["phones"]) if not plausible_phone(p)]
        if wrong:
            reasons.append(
                f"phones «{_short(wrong[0], 30)}» — не похоже на номер телефона (нужно от "
                f"{MIN_PHONE_DIGITS} до {MAX_PHONE_DIGITS} цифр; несколько номеров — через "
                "запятую)"
            )
    if reasons or region is None or city is None:
        return None, reasons
    row = CentreRow(
        name=values["name"],
        kind=values["kind"],
        region=region,
        city=city,
        address=values["address"],
        phones=values["phones"],
        hours=values["hours"],
        site=values["site"],
        lat=lat,
        lon=lon,
    )
    return row, reasons


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_region(value: str) -> tuple[str | None, str | None]:
    found = find_region(value)
    if found is not None:
        return found, None
    place = find_city(value)
    if place is not None:
        return None, (f"в колонке region город «{_short(value, 40)}» — нужен регион: {place[1]}")
    return None, (
        f"регион «{_short(value, 40)}» не найден — напишите его полное название, например "
        "«Свердловская область», «Республика Татарстан», «Москва»"
    )


def _check_city(value: str, region: str | None) -> tuple[str | None, str | None]:
    """The city as the [regions] table spells it when the table knows it (it must then lie
    in the row's region), else as written."""
    bare = _CITY_PREFIX.sub("", value).strip() or value
    place = find_city(bare)
    if place is not None:
        city, its_region = place
        if region is not None and its_region != region:
            return None, f"город {city} — в регионе «{its_region}», а в строке «{region}»"
        return city, None
    if find_region(bare) is not None and bare_is_region(bare):
        return None, f"в колонке city регион «{_short(value, 40)}» — нужен город или посёлок"
    return bare, None


def _check_coordinates(lat: str, lon: str) -> tuple[float | None, float | None, str | None]:
    if not lat and not lon:
        return None, None, None
    if not lat or not lon:
        return None, None, "нужны обе координаты (lat и lon) или ни одной"
    numbers = []
    for name, text, bound in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        try:
            number = float(text.replace(",", ".").replace(" ", ""))
        except ValueError:
            return None, None, f"{name} «{_short(text, 20)}» — не число (пример: 56.8389)"
        if not math.isfinite(number) or not -bound <= number <= bound:
            return None, None, f"{name} {_short(text, 20)} — вне диапазона −{bound:g}…{bound:g}"
        numbers.append(number)
    return numbers[0], numbers[1], None


def valid_site(url: str) -> bool:
    """An http(s) address with a host that has a dot and no spaces: what Telegram makes a
    link of."""
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and "." in host.strip(".")


def _phone_parts(phones: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;]", phones) if p.strip()]


def plausible_phone(text: str) -> bool:
    """Phone characters only (digits, spaces, brackets, hyphens, a leading +, an extension)
    and between MIN_PHONE_DIGITS and MAX_PHONE_DIGITS digits before the extension."""
    if not _PHONE_PART.match(text):
        return False
    main = re.split(r"доб|ext", text, flags=re.IGNORECASE)[0]
    digits = sum(ch.isdigit() for ch in main)
    return MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS


# ---- regions and cities -------------------------------------------------------------------
def name_key(text: str) -> frozenset[str]:
    """A place name as the set of its lemmas: any inflection or case finds it."""
    return frozenset(lemma(w) for w in words(text))


@cache
def _place_tables() -> tuple[dict[frozenset[str], str], dict[frozenset[str], tuple[str, str]]]:
    """region key → region, city key → (city, region), from data/places.toml's [regions]."""
    regions = {name_key(r): r for r in region_names()}
    cities = {}
    for region in region_names():
        for city in nearby_places(region)[1:]:
            cities[name_key(city)] = (city, region)
    return regions, cities


def _expand(value: str) -> str:
    """«Свердловская обл.» → «Свердловская область»: the short forms tables use."""
    return " ".join(_REGION_SHORT.get(w, w) for w in words(value))


@lru_cache(maxsize=4096)
def find_region(value: str) -> str | None:
    """The region a region name stands for (any inflection, «обл.», «Татарстан», «ХМАО»),
    or None — also for a city (`find_city`)."""
    regions, cities = _place_tables()
    key = name_key(_expand(value))
    if key in regions:
        return regions[key]
    if key in cities:
        return None
    canonical = normalize_place(value) or normalize_place(_expand(value))
    if canonical is not None and canonical in regions.values() and _names(value, canonical):
        return canonical
    found = region_of(value)
    if found is not None and bare_is_region(value):
        return found
    return None


def bare_is_region(value: str) -> bool:
    """True unless the text is a city of the [regions] table («Москва» is both)."""
    regions, cities = _place_tables()
    key = name_key(_expand(value))
    return key in regions or key not in cities


@lru_cache(maxsize=4096)
def find_city(value: str) -> tuple[str, str] | None:
    """(city, region) for a city of the [regions] table in any inflection, or None."""
    _, cities = _place_tables()
    key = name_key(_CITY_PREFIX.sub("", value))
    if key in cities:
        return cities[key]
    canonical = normalize_place(value)
    if canonical is not None and _names(value, canonical):
        return cities.get(name_key(canonical))
    return None


def _names(text: str, place: str) -> bool:
    """Does `text` name `place` and nothing more? normalize_place also finds a place inside
    a longer text («форум в Великом Новгороде»); a one-word alias («Якутия», «Питер») may
    share no word with the canonical name."""
    key = name_key(text) - _PREPOSITIONS
    return len(key) <= 1 or key <= name_key(place)
