"""Real documents built for the tests of hostile uploads: a .docx by python-docx (re-zipped
with a zip bomb or a nested-XML bomb in it), a PDF by fpdf2 with as many pages as asked."""

from __future__ import annotations

import io
import zipfile


def docx_bytes() -> bytes:
    """A real Word document (python-docx) with a short article."""
    import docx

    document = docx.Document()
    document.add_heading("Семинар для приёмных родителей в Омске", 1)
    document.add_paragraph(
        "Семинар для приёмных родителей пройдёт в Омске 15 февраля 2027 года. "
        "Участие бесплатное, нужна регистрация."
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The same .docx with some parts replaced or added (deflated at the best level)."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED, compresslevel=9
    ) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def nested_docx(depth: int) -> bytes:
    """A .docx whose body holds content controls nested ``depth`` deep (a nested-XML bomb)."""
    original = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    bomb = (
        "<w:sdt><w:sdtContent>" * depth
        + "<w:p><w:r><w:t>глубоко</w:t></w:r></w:p>"
        + "</w:sdtContent></w:sdt>" * depth
    )
    xml = xml.replace("<w:body>", "<w:body>" + bomb, 1)
    return rezip(original, replace={"word/document.xml": xml.encode("utf-8")})


def pdf_bytes(pages: int) -> bytes:
    import fpdf
    pdf = fpdf.FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"Page {number}: a report about family support services.")
    return bytes(pdf.output())
