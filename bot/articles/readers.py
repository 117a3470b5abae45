"""Turn an uploaded file into plain text with whatever metadata the format carries.

Admins upload articles as they find them: a page saved from a browser, a Word file, a PDF,
a text file from an old Windows machine in CP1251. This module only *reads*: it returns the
text one paragraph per line and leaves deciding what is boilerplate to ``cleaning``.

Which library does the work:
- the encoding of text files: charset-normalizer (``from_bytes``); its pick is checked for
  plausible Russian, because on a sentence or two of KOI8-R it often proposes a CJK code
  page, and then it is asked again restricted to the Cyrillic code pages;
- HTML: trafilatura (``bare_extraction`` with ``favor_precision``) finds the article among
  menus, footers and ads and reads the title, date and canonical URL from the metadata;
- .docx: python-docx (paragraphs and tables in document order, the core title);
- .pdf: pypdf (text per page; line positions from its ``visitor_text`` hook rebuild the
  paragraphs, hyphenated line breaks are joined).

The format is decided by the content as well as the name: an HTML page saved as .txt is read
as HTML, a PDF named .txt as PDF. Errors are ``DocumentError`` subclasses (``ValueError``,
defined in ``bot.articles.errors``) whose message is one Russian line fit to show the admin
as is. The limits of ``bot.articles.limits`` are applied where each format gets expensive:
a .docx's parts and XML depth before python-docx opens it, a PDF's page count before its
text is extracted, a text file's length before it is decoded.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from charset_normalizer import from_bytes

from bot.articles import limits
from bot.articles.errors import (  # callers have always imported these from here
    DocumentError,
    EmptyDocument,
    UnreadableDocument,
    UnsupportedDocument,
)
from bot.text.normalize import normalize

SUPPORTED_HINT = "пришлите .txt, .md, .html, .docx или .pdf"
_DAMAGED_DOCX = "Файл .docx повреждён или это не документ Word: сохраните его заново в Word"

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html"}
KNOWN_EXTENSIONS = {**TEXT_EXTENSIONS, **HTML_EXTENSIONS, ".docx": "docx", ".pdf": "pdf"}

# Signatures of binary formats people send by mistake, so the refusal can name them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"RIFF", "RIFF (WebP/AVI/WAV)"),
    (b"MZ", "EXE"),
    (b"\x7fELF", "ELF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "GZIP"),
    (b"\xd0\xcf\x11\xe0", "DOC/XLS (старый Microsoft Office)"),
    (b"{\\rtf", "RTF"),
    (b"ID3", "MP3"),
    (b"OggS", "OGG"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_RUSSIAN_WORD = re.compile(
    r"[а-яё]+(?:-[а-яё]+)*"  # lower case
    r"|[А-ЯЁ][а-яё]+(?:-[а-яё]+)*"  # Capitalised
    r"|[А-ЯЁ]+(?:-[А-ЯЁа-яё]+)*"  # CAPITALS, abbreviations («МФЦ», «НИУ-ВШЭ»)
)
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*|[A-Za-z]*[0-9][0-9A-Za-z]*")
_NUMBERISH = re.compile(r"[0-9]+(?:[-.:,/][0-9]+)*[%]?")
_LINKISH = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#]\w+")
_CAMEL_WORD = re.compile(r"(?:[А-ЯЁ][а-яё]+){2,3}")  # brand names: «ЗащитаЗдесь»
# Punctuation that may open or close a word; anything else glued to letters is suspicious.
_LEAD_PUNCT = "\"'«„“‘([{<*•·"
_TRAIL_PUNCT = "\"'»”’)]}>.,;:!?…%*"
# The 15 most frequent letters of Russian text make up ~80% of its letters.
_COMMON_RUSSIAN = frozenset("оеаинтсрвлкмдпу")
MIN_COMMON_LETTERS = 0.55
_BOM_CODECS = ((b"\xef\xbb\xbf", "utf_8_sig"), (b"\xff\xfe", "utf_16"), (b"\xfe\xff", "utf_16"))
# UTF-8 is checked by structure: single-byte text is practically never valid multi-byte UTF-8.
# (UTF-16 without a BOM is not: any even number of bytes decodes, so it gets judged.)
_STRUCTURAL_CODECS = frozenset({"utf_8", "ascii"})

# A decoding is accepted when at least this share of its words look like Russian, Latin or
# numbers; wrong Cyrillic code pages give words like «оПХБЕР» or «ƒетский» and score far lower.
PLAUSIBLE_TEXT_SHARE = 0.85
CONFIDENT_RANK = 1.3  # below this, other Cyrillic code pages are tried as well
# Near-ties between code pages that differ in a letter or two (CP1251 and MacCyrillic swap
# «Э»/«Ё» and «—»/«Ч») go to the code page Russian files are actually written in.
_CODEC_PRIOR = {"cp1251": 0.05, "koi8_r": 0.04, "cp866": 0.02, "utf_16": 0.02}
_CYRILLIC_CODECS = ["utf_8", "cp1251", "koi8_r", "mac_cyrillic", "cp866", "iso8859_5", "koi8_u"]


@dataclass(frozen=True)
class RawDocument:
    """What a reader recovered: text (one paragraph per line) and format metadata."""

    text: str
    title: str | None
    date: date | None
    source_url: str | None
    fmt: str


def read_document(data: bytes, filename: str) -> RawDocument:
    """Read an uploaded file; the name suggests the format, the content decides it."""
    ext = PurePath(filename or "").suffix.lower()
    if ext and ext not in KNOWN_EXTENSIONS:
        raise UnsupportedDocument(f"Формат {ext} не поддерживается: {SUPPORTED_HINT}")
    if not data or not data.strip():
        raise EmptyDocument("Файл пустой: в нём нет текста статьи")

    if data.lstrip()[:5] == b"%PDF-":
        return _read_pdf(data)
    if data[:4] == b"PK\x03\x04":
        if _is_docx(data):
            return _read_docx(data)
        raise UnsupportedDocument(f"Формат ZIP-архив не поддерживается: {SUPPORTED_HINT}")
    if ext == ".docx":
        raise UnreadableDocument(_DAMAGED_DOCX)
    for magic, name in _MAGIC:
        if data.startswith(magic) and (len(magic) > 2 or _looks_binary(data)):
            raise UnsupportedDocument(f"Формат {name} не поддерживается: {SUPPORTED_HINT}")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        data = utf16
    elif _looks_binary(data):
        shown = ext or "без расширения"
        raise UnsupportedDocument(
            f"Файл {shown} содержит двоичные данные, а не текст: {SUPPORTED_HINT}"
        )

    if ext in HTML_EXTENSIONS or _looks_like_html(data):
        text = _decode_html(data)
        if ext in HTML_EXTENSIONS and not _looks_like_html(text.encode("utf-8", "ignore")):
            return _read_plain(text, "txt")  # a text file someone named .html
        return _read_html(text)
    limits.check_text_bytes(len(data))  # markup may outweigh its text; plain text may not
    return _read_plain(decode_text(data), TEXT_EXTENSIONS.get(ext, "txt"))


# --- text files -------------------------------------------------------------------------------


def decode_text(data: bytes, *, markup: bool = False) -> str:
    """Decode a text file in an unknown encoding, or raise ``UnreadableDocument``."""
    return decoding(data, markup=markup)[0]


def decoding(data: bytes, *, markup: bool = False) -> tuple[str, str]:
    """(text, codec) of a text file in an unknown encoding, or raise ``UnreadableDocument``.

    charset-normalizer proposes the encodings. A UTF-8 verdict is structural (single-byte
    text is practically never valid multi-byte UTF-8) and is taken as is; among
    single-byte code pages the proposal that reads most like Russian wins
    (``_rank``). When nothing plausible is proposed — typical for a line or two of KOI8-R —
    it is asked again restricted to the Cyrillic code pages, and finally those code pages are
    tried directly, judged by the same measure. With ``markup`` (HTML) the tags are left out
    of the judging: ``class="menu"><a`` is not a word in any encoding.
    """
    if data.startswith(_BOMS):
        # A BOM is a statement of the encoding; charset-normalizer honours it too, but reading
        # it here keeps UTF-16 files away from the plausibility guessing below.
        for bom, codec in _BOM_CODECS:
            if data.startswith(bom):
                try:
                    return _normalize_newlines(data.decode(codec)), codec
                except UnicodeDecodeError:
                    break

    matches = list(from_bytes(data))
    if matches and matches[0].encoding in _STRUCTURAL_CODECS:
        return _normalize_newlines(str(matches[0])), matches[0].encoding

    best_text, best_codec, best_score = None, "", -1.0

    def consider(text: str, codec: str) -> None:
        nonlocal best_text, best_codec, best_score
        stats = _TextStats.of(_strip_markup(text) if markup else text)
        rank = stats.rank + _CODEC_PRIOR.get(codec, 0.0)
        if stats.acceptable and rank > best_score + 1e-9:
            best_text, best_codec, best_score = text, codec, rank

    for match in matches:
        consider(str(match), match.encoding)
    if best_score < CONFIDENT_RANK:
        # Short Cyrillic texts: ask again among the Cyrillic code pages only.
        for match in from_bytes(data, cp_isolation=_CYRILLIC_CODECS):
            consider(str(match), match.encoding)
    if best_score < CONFIDENT_RANK:
        # charset-normalizer may refuse every code page on a line or two of text.
        for codec in _CYRILLIC_CODECS:
            try:
                consider(data.decode(codec), codec)
            except UnicodeDecodeError:
                continue
    if best_text is None:
        raise UnreadableDocument(
            "Не удалось определить кодировку текста: сохраните файл в UTF-8 и пришлите снова"
        )
    return _normalize_newlines(best_text), best_codec


def text_plausibility(text: str) -> float:
    """Share of the words in ``text`` that look like Russian, Latin or numeric words."""
    return _TextStats.of(text).word_share


@dataclass(frozen=True)
class _TextStats:
    """How much a decoding looks like real text.

    Why words and letters, not "mostly Cyrillic": every single-byte Cyrillic code page decodes
    any byte into *some* Cyrillic letter. Wrong decodings of Russian show up as
    - word shapes no writer produces: case flipping inside a word («оПХБЕР»), other scripts or
      symbols glued to letters («ƒетский», «довери€», «—отрудники»);
    - capitals everywhere: CP1251 read as KOI8-R turns lower-case words into capitals;
    - rare letters everywhere: a shifted code page (CP1125 for CP1251) yields «юъюыю ёхьхщ»,
      well-shaped words made of letters Russian seldom uses.
    """

    word_share: float  # words shaped like Russian/Latin words, numbers or links
    caps_share: float  # Cyrillic words in capitals
    common_letters: float  # Cyrillic letters among the 15 most frequent in Russian
    cyrillic_letters: int

    @classmethod
    def of(cls, text: str) -> _TextStats:
        good = total = cyrillic_words = capitals = 0
        for token in text.split()[:5000]:
            core = token.lstrip(_LEAD_PUNCT).rstrip(_TRAIL_PUNCT)
            if not core:
                continue
            if "\ufffd" in core or any(
                unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") for ch in core
            ):
                total += 1
                continue
            if not any(ch.isalnum() for ch in core):
                continue
            total += 1
            if _word_ok(core) or _LINKISH.fullmatch(token) or _compound_ok(core):
                good += 1
                if _RUSSIAN_WORD.fullmatch(core) and len(core) > 1:
                    cyrillic_words += 1
                    capitals += core.isupper()
        sample = normalize(text[:50000])
        letters = sum(1 for ch in sample if "а" <= ch <= "я")
        common = sum(1 for ch in sample if ch in _COMMON_RUSSIAN)
        return cls(
            word_share=good / total if total else 0.0,
            caps_share=capitals / cyrillic_words if cyrillic_words else 0.0,
            common_letters=common / letters if letters else 1.0,
            cyrillic_letters=letters,
        )

    @property
    def acceptable(self) -> bool:
        if self.word_share < PLAUSIBLE_TEXT_SHARE:
            return False
        return self.cyrillic_letters < 12 or self.common_letters >= MIN_COMMON_LETTERS

    @property
    def rank(self) -> float:
        return (
            self.word_share
            - 0.5 * max(0.0, self.caps_share - 0.5)
            + 0.5 * min(self.common_letters, 0.8)
        )


def _word_ok(core: str) -> bool:
    return bool(
        _RUSSIAN_WORD.fullmatch(core)
        or _CAMEL_WORD.fullmatch(core)
        or _LATIN_WORD.fullmatch(core)
        or _NUMBERISH.fullmatch(core)
    )


def _compound_ok(core: str) -> bool:
    """Hyphenated or dotted compounds such as «и.о.», «8-800-2000-122», «COVID-19», «4-х»."""
    parts = [p for p in re.split(r"[-./:]", core) if p]
    return bool(parts) and all(_word_ok(p) for p in parts)


def _utf16_without_bom(data: bytes) -> bytes | None:
    """UTF-16 saved without a BOM: the text re-encoded as UTF-8, else None."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    for codec, high in (("utf_16_le", sample[1::2]), ("utf_16_be", sample[0::2])):
        # The high bytes of Russian text in UTF-16 are 0x00 (ASCII) and 0x04 (Cyrillic).
        common = sum(n for _, n in Counter(high).most_common(3))
        if common < 0.95 * len(high):
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _TextStats.of(text).acceptable:
            return text.encode("utf-8")
    return None


# Bytes no text file holds: below TAB, and 14–31 but ESC (27).
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32 and b != 27)


def _looks_binary(data: bytes) -> bool:
    """Control bytes that no text file has (NUL outside UTF-16, bell, backspace…)."""
    if data.startswith(_BOMS):
        return False
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C
    return b"\x00" in sample or controls > max(2, len(sample) // 100)


def _normalize_newlines(text: str) -> str:
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]*)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")


def _read_plain(text: str, fmt: str) -> RawDocument:
    title = None
    if fmt == "md":
        lines = []
        for line in text.split("\n"):
            heading = _MD_HEADING.match(line)
            if heading:
                line = heading.group(2)
                if title is None and len(heading.group(1)) == 1:
                    title = _MD_LINK.sub(r"\1", line).strip() or None
            line = _MD_IMAGE.sub("", line)
            line = _MD_LINK.sub(r"\1", line)
            line = _MD_EMPHASIS.sub(r"\2", line)
            line = _MD_BULLET.sub("", line)
            lines.append(line)
        text = "\n".join(lines)
    return RawDocument(text=text, title=title, date=None, source_url=None, fmt=fmt)


# --- HTML ---------------------------------------------------------------------------------------

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAGS = re.compile(rb"<(?:body|p|div|article|h1|head)\b[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.IGNORECASE)


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(data[:65536])) >= 3


def _decode_html(data: bytes) -> str:
    """HTML declares its charset; trust the declaration, otherwise detect like a text file."""
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii").lower())
            return _normalize_newlines(text)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, markup=True)


_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>|&[#\w]+;")


def _strip_markup(html: str) -> str:
    return _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", html))


def _read_html(html: str) -> RawDocument:
    import trafilatura  # heavy import (lxml, htmldate, justext): only when a page arrives
    from trafilatura.settings import Document

    try:
        document = trafilatura.bare_extraction(
            html,
            favor_precision=True,  # a menu item in the body is worse than a lost caption
            include_comments=False,
            include_tables=True,
            with_metadata=True,
            # Only dates stated in the markup (meta, <time>, URL): the extensive search reads
            # «© 2026» in a footer as a publication date. Dates in the text are ours to find.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        raise EmptyDocument("В странице не нашлось текста статьи") from exc
    # None when nothing was found (a dict comes only with as_dict=True, not asked for here)
    if not isinstance(document, Document):
        raise EmptyDocument("В странице не нашлось текста статьи")
    text = (getattr(document, "text", None) or "").strip()
    if not text:
        raise EmptyDocument("В странице не нашлось текста статьи")
    published = None
    if document.date:
        try:
            published = date.fromisoformat(str(document.date)[:10])
        except ValueError:
            published = None
    return RawDocument(
        text=_normalize_newlines(text),
        title=(document.title or "").strip() or None,
        date=published,
        source_url=(document.url or "").strip() or None,
        fmt="html",
    )


# --- DOCX ---------------------------------------------------------------------------------------


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _read_docx(data: bytes) -> RawDocument:
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            limits.check_docx_archive(archive)  # sizes and XML depth, before python-docx
        document = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except Exception as exc:  # zipfile (CRC, encryption) and python-docx (KeyError, lxml…)
        raise UnreadableDocument(_DAMAGED_DOCX) from exc
    lines: list[str] = []
    heading_title = None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each text once
                    text = " ".join(cell.text.split())
                    if text and text not in cells:
                        cells.append(text)
                if cells:
                    lines.append(" — ".join(cells))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if heading_title is None and not lines and style.startswith(("Title", "Heading")):
            heading_title = text
        lines.append(text)
    core_title = (document.core_properties.title or "").strip()
    return RawDocument(
        text="\n".join(lines),
        title=heading_title or core_title or None,
        date=None,  # core «created» is the file's history (the default template says 2013)
        source_url=None,
        fmt="docx",
    )


# --- PDF ----------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$|^(?:стр\.?|страница)\s*\d+(?:\s*из\s*\d+)?$",
    re.IGNORECASE,
)
_GENERIC_PDF_TITLE = re.compile(
    r"^(?:untitled|без названия|microsoft word\b|документ\d*$)|\.(?:docx?|pdf|odt|rtf)$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…][»\"”’)]*$")
_BULLET_START = re.compile(r"^(?:[•·▪◦●–—-]\s|\d{1,2}[.)]\s)")


@dataclass
class _PdfLine:
    text: str
    y: float | None
    size: float | None


def _read_pdf(data: bytes) -> RawDocument:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("PDF защищён паролем: снимите защиту и пришлите снова")
        limits.check_pdf_pages(len(reader.pages))
        pages = [_pdf_page_lines(page) for page in reader.pages]
        meta_title = (reader.metadata.get("/Title") or "") if reader.metadata else ""
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError and friends on damaged files
        raise UnreadableDocument("Не удалось прочитать PDF: файл повреждён") from exc
    paragraphs = rebuild_pdf_paragraphs(pages)
    if not paragraphs:
        raise EmptyDocument("В PDF нет текстового слоя (похоже на скан): пришлите текст статьи")
    title: str | None = str(meta_title).strip()
    if not title or _GENERIC_PDF_TITLE.search(title):
        title = None
    return RawDocument(
        text="\n".join(paragraphs), title=title, date=None, source_url=None, fmt="pdf"
    )


def _pdf_page_lines(page) -> list[_PdfLine]:
    """Lines of one page with the baseline and font size of each, via pypdf's visitor.

    pypdf's ``extract_text`` output is exactly the concatenation of the fragments it passes to
    ``visitor_text``, so splitting those fragments at newlines reproduces its lines while
    keeping the geometry the paragraph rebuilder needs.
    """
    lines: list[_PdfLine] = []
    current: dict = {"text": "", "y": None, "size": None}

    def flush() -> None:
        if current["text"].strip():
            lines.append(_PdfLine(" ".join(current["text"].split()), current["y"], current["size"]))
        current.update(text="", y=None, size=None)

    def visitor(text, cm, tm, font_dict, font_size) -> None:
        parts = text.split("\n")
        for index, part in enumerate(parts):
            if index:
                flush()
            if part.strip() and current["y"] is None:
                try:
                    current["y"] = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                    scale = abs(tm[3] * cm[3]) or 1.0
                    current["size"] = float(font_size) * scale
                except (TypeError, IndexError):
                    pass
            current["text"] += part

    page.extract_text(visitor_text=visitor)
    flush()
    # Running page numbers are layout, not text.
    while lines and _PAGE_NUMBER.match(lines[-1].text):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0].text):
        lines.pop(0)
    return lines


def rebuild_pdf_paragraphs(pages: Sequence[Sequence[_PdfLine | str]]) -> list[str]:
    """Join PDF lines back into paragraphs.

    A new paragraph starts where the vertical gap is clearly wider than the usual line
    spacing for that font size, where the font size changes (a heading), where a line starts
    with a bullet, or — when there is no geometry — after a line that ends a sentence and
    stops well short of the usual line width. A hyphen at a line end is joined.
    """
    all_lines: list[tuple[_PdfLine, bool]] = []  # (line, starts a new page)
    for page in pages:
        for index, line in enumerate(page):
            if isinstance(line, str):
                line = _PdfLine(" ".join(line.split()), None, None)
            if line.text:
                all_lines.append((line, index == 0))
    if not all_lines:
        return []

    gaps_by_size: dict[float, list[float]] = {}
    for (prev, _), (line, new_page) in itertools.pairwise(all_lines):
        if not new_page and prev.y is not None and line.y is not None and _same_size(prev, line):
            gap = prev.y - line.y
            if gap > 0:
                gaps_by_size.setdefault(round(line.size or 0, 1), []).append(gap)
    usual_gap = {size: statistics.median(gaps) for size, gaps in gaps_by_size.items()}
    widths = sorted(len(line.text) for line, _ in all_lines)
    full_width = widths[int(len(widths) * 0.9)] if widths else 0

    paragraphs: list[str] = []
    current = all_lines[0][0].text
    for (prev, _), (line, new_page) in itertools.pairwise(all_lines):
        if _pdf_breaks(prev, line, new_page, usual_gap, full_width):
            paragraphs.append(current)
            current = line.text
        else:
            current = join_wrapped(current, line.text)
    paragraphs.append(current)
    return [p for p in paragraphs if p.strip()]


def _same_size(a: _PdfLine, b: _PdfLine) -> bool:
    if a.size is None or b.size is None:
        return True
    return abs(a.size - b.size) < 0.6


def _pdf_breaks(
    prev: _PdfLine, line: _PdfLine, new_page: bool, usual_gap: dict, full_width: int
) -> bool:
    if _BULLET_START.match(line.text):
        return True
    if not _same_size(prev, line):
        return True
    ends_sentence = bool(_TERMINAL.search(prev.text))
    if new_page:
        return ends_sentence or not line.text[:1].islower()
    if prev.y is not None and line.y is not None:
        gap = prev.y - line.y
        usual = usual_gap.get(round(line.size or 0, 1))
        if gap <= 0:  # a new column or a jump back up the page
            return ends_sentence
        if usual and gap > usual * 1.3:
            return True
        if usual:
            return False
    return ends_sentence and len(prev.text) < 0.8 * full_width


_HYPHEN_END = re.compile(r"([A-Za-zА-Яа-яЁё]+)[-\u00ad]$")


def join_wrapped(left: str, right: str) -> str:
    """Join two wrapped lines; a word split by a hyphen at the line end is put back together.

    «соци-» + «ального» → «социального», but «дома-» + «интерната» keeps its hyphen because
    «домаинтерната» is not a word and both halves are (pymorphy3 knows the vocabulary).
    """
    left = left.rstrip()
    right = right.lstrip()
    match = _HYPHEN_END.search(left)
    if match and right[:1].isalpha() and right[:1].islower():
        first = match.group(1)
        second = re.match(r"[A-Za-zА-Яа-яЁё]+", right)
        if left.endswith("\u00ad") or second is None:
            return left[:-1] + right
        from bot.text.morph import is_known_word

        joined = (first + second.group(0)).lower().replace("ё", "е")
        if (
            not is_known_word(joined)
            and is_known_word(first.lower())
            and is_known_word(second.group(0).lower())
        ):
            return left + right  # a real hyphenated compound
        return left[:-1] + right
    return f"{left} {right}" if left else right
