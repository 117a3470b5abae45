"""Files admins send: refused before download when Telegram's metadata already says no,
and counted while downloading, since `file_size` is optional in the Bot API."""

from __future__ import annotations

import io

from aiogram import Bot

from bot.articles.limits import too_large_message
from bot.domain.centre_table import is_table_name
from bot.telegram.formatting import esc
from bot.telegram.views.texts import CENTRES_FORMAT

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses larger files
ALLOWED_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


def upload_limit(library_limit: int) -> int:
    """The largest upload: MAX_UPLOAD_MB, but never past what getFile serves."""
    return min(TELEGRAM_DOWNLOAD_LIMIT, library_limit)


def check_upload(limit: int, filename: str, size: int | None) -> str | None:
    """Refuse before downloading: unknown format or too large. None when acceptable."""
    name = (filename or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        ext = "." + name.rsplit(".", 1)[-1] if "." in name else "без расширения"
        return f"Формат {esc(ext)} не поддерживается: пришлите .txt, .md, .html, .docx или .pdf."
    if size is not None and size > limit:
        return too_large_message(size, limit)
    return None


class UploadTooLarge(Exception):
    """The file turned out larger than the upload limit; the message is the refusal."""


class _BoundedBuffer(io.BytesIO):
    """A download destination that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0

    # BytesIO.write takes any buffer; aiogram's download only ever writes bytes chunks.
    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.size += len(chunk)
        if self.size > self.limit:
            raise UploadTooLarge(too_large_message(None, self.limit))
        return super().write(chunk)


async def download(bot: Bot, file_id: str, limit: int) -> bytes:
    """The file's bytes, counted as they arrive; ``UploadTooLarge`` past ``limit``.

    ``file_size`` is optional in the Bot API (in the message and in getFile), so the limit
    cannot rest on it: a file without it is stopped at the limit, not read whole.
    """
    file = await bot.get_file(file_id)
    if file.file_size is not None and file.file_size > limit:
        raise UploadTooLarge(too_large_message(file.file_size, limit))
    buffer = _BoundedBuffer(limit)
    await bot.download_file(file.file_path or "", destination=buffer)
    return buffer.getvalue()


def check_table_upload(limit: int, filename: str, size: int | None) -> str | None:
    """The /centres counterpart of `check_upload`: a .csv or .xlsx within the limit."""
    if not is_table_name(filename):
        return CENTRES_FORMAT
    if size is not None and size > limit:
        return too_large_message(size, limit)
    return None
