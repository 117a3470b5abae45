"""What one upload may cost, checked before the work it would make expensive.

A hostile or broken file must get a one-line refusal, not the bot's time and memory. The
parser runs in a worker process with a time limit and a memory cap (``bot.articles.worker``),
but those are the last line: each limit here stops a known way of making a small file
expensive *before* the expensive step starts, and says which limit it was.

- Raw size: ``MAX_UPLOAD_MB`` (settings). The admin handler checks Telegram's ``file_size``
  before downloading and counts the bytes while downloading (``file_size`` is optional in
  the Bot API); ``python -m bot ingest`` checks the file's size and reads at most one byte
  more than the limit. The message is ``too_large_message``.
- .docx is a zip: at most ``MAX_ZIP_MEMBERS`` parts, at most ``MAX_UNZIPPED_BYTES`` (50 MB)
  once unpacked, and no part over ``RATIO_CHECK_BYTES`` that compresses better than
  ``MAX_ZIP_RATIO``:1 (text XML compresses ~5–20:1, pictures ~1:1; a zip bomb of zeros
  ~1000:1). Read from the central directory (``ZipInfo.file_size``), before python-docx
  opens the file — python-docx loads every part, media included, into memory (a .docx
  whose pictures inflate to 4 GB took 2.2 GB of RAM). The declared sizes are binding:
  ``zipfile`` stops a member at its declared ``file_size`` and then fails its CRC, so a
  header that lies about the size cannot make more come out.
- XML nesting: at most ``MAX_XML_DEPTH`` (200) levels in each XML part of a .docx, found by
  streaming the part through expat with counting callbacks — no tree is built, so a
  nested-XML bomb costs its bytes and no more (a 70 KB one never finished in python-docx).
  Real Word documents stay well under 60 levels, nested tables and text boxes included.
  A DOCTYPE is refused too: the Open Packaging Conventions forbid DTDs in a package, and
  entity definitions are how a small XML part grows into a huge one.
- PDF: at most ``MAX_PDF_PAGES`` (200) pages, counted before any text is extracted.
- Text: at most ``MAX_TEXT_CHARS`` (1 000 000 characters, about 400 pages) after reading,
  and a plain-text file over ``4 × MAX_TEXT_CHARS`` bytes is refused without decoding (no
  encoding we read spends more than 4 bytes on a character). Refused, not cut: an article is
  2–20 thousand characters, so a million is a book, a dump or an attack; a cut article
  would be stored without its end — events and places in the lost part silently missing,
  and a summary of the beginning only — with nothing telling the admin. A clear refusal
  lets them split a long document on purpose. (The pipeline itself is linear: a million
  characters parse in ~5 s on one core.)
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO
from xml.parsers import expat

from bot.articles.errors import DocumentTooLarge

MIB = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_UNZIPPED_BYTES = 50 * MIB
MAX_ZIP_RATIO = 100
RATIO_CHECK_BYTES = 1 * MIB  # smaller parts may compress as well as they like
MAX_XML_DEPTH = 200
MAX_PDF_PAGES = 200
MAX_TEXT_CHARS = 1_000_000
MAX_BYTES_PER_CHAR = 4  # UTF-8 and UTF-16 both spend at most 4 bytes on a character

_XML_CHUNK = 64 * 1024
_RESAVE = "пересохраните документ в Word и пришлите снова"


def _mb(size: int) -> str:
    return f"{size / MIB:.1f}".removesuffix(".0")


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def too_large_message(size: int | None, limit: int) -> str:
    """The refusal for a file over the raw size limit; ``size`` None when only a lower bound is
    known (the download was stopped at the limit)."""
    if size is not None and round(size / MIB, 1) > limit / MIB:
        shown = f"{_mb(size)} МБ"
    else:  # unknown, or so near the limit that «10 МБ; можно до 10 МБ» would puzzle
        shown = f"больше {_mb(limit)} МБ"
    return f"Файл слишком большой ({shown}); можно до {_mb(limit)} МБ."


def check_docx_archive(archive: zipfile.ZipFile) -> None:
    """Parts, unpacked size, compression ratio and XML depth of a .docx, before it is opened."""
    check_zip_archive(archive, ".docx", _RESAVE)


def check_zip_archive(archive: zipfile.ZipFile, label: str, resave: str) -> None:
    """The .docx limits for any Office Open XML package (a .docx, an .xlsx of /centres):
    parts, unpacked size, compression ratio, XML depth and DTDs, read before the library
    opens it. `label` names the format in the refusal, `resave` says how to fix it."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentTooLarge(
            f"Файл {label} слишком сложный: в нём {_count(len(members))} частей, можно до "
            f"{_count(MAX_ZIP_MEMBERS)} — {resave}"
        )
    unpacked = sum(info.file_size for info in members)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise DocumentTooLarge(
            f"Файл {label} после распаковки слишком большой ({_mb(unpacked)} МБ); можно до "
            f"{_mb(MAX_UNZIPPED_BYTES)} МБ — уменьшите картинки или пришлите только текст"
        )
    for info in members:
        if info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise DocumentTooLarge(
                f"Файл {label} сжат неправдоподобно сильно ({_count(ratio)}:1, часть "
                f"{info.filename}): похоже на zip-бомбу — {resave}"
            )
    for info in members:
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as stream:
                check_xml_depth(stream, label=label, resave=resave)


class _TooDeep(Exception):
    pass


class _Doctype(Exception):
    pass


def check_xml_depth(
    stream: IO[bytes], limit: int = MAX_XML_DEPTH, label: str = ".docx", resave: str = _RESAVE
) -> None:
    """Refuse XML nested deeper than ``limit`` or declaring a DOCTYPE; streamed, no tree.

    Malformed XML is left for the real parser to judge (python-docx refuses it with its own
    message): this check only ever refuses for depth or a DOCTYPE.
    """
    parser = expat.ParserCreate()
    depth = 0

    def start(_name: str, _attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            raise _TooDeep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def doctype(*_args: object) -> None:
        raise _Doctype

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := stream.read(_XML_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _TooDeep:
        raise DocumentTooLarge(
            f"Файл {label} слишком сложный: вложенность разметки больше {limit} уровней — {resave}"
        ) from None
    except _Doctype:
        raise DocumentTooLarge(
            f"Файл {label} содержит объявление DTD, которого в файлах Office не бывает — {resave}"
        ) from None
    except expat.ExpatError:
        return


def check_pdf_pages(pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise DocumentTooLarge(
            f"В PDF слишком много страниц ({_count(pages)}); можно до {MAX_PDF_PAGES} — "
            "пришлите статью отдельным файлом"
        )


def check_text_bytes(size: int) -> None:
    """A plain-text file certainly longer than ``MAX_TEXT_CHARS``, refused before decoding."""
    if size > MAX_BYTES_PER_CHAR * MAX_TEXT_CHARS:
        raise DocumentTooLarge(_text_message(f"больше {_count(MAX_TEXT_CHARS)}"))


def check_text(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentTooLarge(_text_message(_count(len(text))))


def _text_message(length: str) -> str:
    return (
        f"Текст слишком длинный ({length} знаков); можно до {_count(MAX_TEXT_CHARS)} — "
        "разделите его на несколько статей"
    )


def read_bounded(path: Path, limit: int) -> bytes | str:
    """The file's bytes, or why not (a line for the admin): the upload limit holds before
    reading, and at most one byte more than it is read — a pipe or a growing file too.
    Shared by ``python -m bot ingest`` one by one (``Library.add_file``) and in bulk."""
    try:
        size = path.stat().st_size
        if size > limit:
            return too_large_message(size, limit)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return f"не удалось прочитать файл ({exc.strerror})"
    if len(data) > limit:
        return too_large_message(None, limit)
    return data
