"""Uploads are parsed in a worker process, with a time limit and a memory cap.

Why another process: the event loop answers every user, and parsing is CPU-bound pure
Python (readers, cleaning, pymorphy3, the date parser, the summary). On the loop, one big
upload froze everyone (a 1.4 MB text: 96 s); a thread would not help, it holds the GIL;
and nothing can stop a thread that never returns (a .docx with a nested-XML bomb). A
process can be killed, and its memory can be capped without capping the bot's.

Why one ``multiprocessing.Process`` of our own rather than ``ProcessPoolExecutor``: a pool
cannot cancel a task that is running (``Future.cancel()`` fails once it started), so a hung
parse would keep its worker forever; killing it means reaching into the pool's private
``_processes``, after which the pool is broken for every other task anyway
(``BrokenProcessPool``) and must be rebuilt. With one process we own, a timeout is
``kill()`` of exactly that process and a fresh one for the next upload. Uploads come from a
few admins, so one at a time is enough: a lock queues a second upload behind the first, and
its own clock starts only when its own parse starts.

Start method: forkserver where the platform has it, spawn elsewhere — never fork. The bot
process has threads (aiosqlite's, the loop's executor), sockets and a SQLite connection; a
fork copies all of it, including locks other threads held at that instant. The forkserver is
a clean single-threaded process that imports the parsing modules once
(``set_forkserver_preload``), so a fresh worker after a kill is ready in milliseconds
instead of re-importing pymorphy3, trafilatura and python-docx.

Memory: the worker caps its own address space (``RLIMIT_AS``, ``PARSE_MEMORY_MB``) before
the first job. An allocation past it raises ``MemoryError`` in the worker, which reports it
and exits; C code that does not survive a failed allocation kills the worker, which the bot
sees as the pipe closing. Either way the admin gets a refusal, the bot's own memory is
untouched, and the next upload gets a fresh worker.

The protocol is a duplex ``Pipe``: the bot sends ``(data, filename)``, the worker answers
``("ok", ParsedArticle)`` (plain dataclasses, pickled), ``("refused", message)`` for a
``DocumentError``, ``("memory", "")`` or ``("failed", traceback)``. Blocking pipe I/O runs
in a thread (``asyncio.to_thread``) so the loop never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from bot.articles.errors import DocumentError, DocumentTooLarge
from bot.articles.parse import ParsedArticle, parse_document, parse_text

log = logging.getLogger(__name__)

Job = Callable[[bytes, str], ParsedArticle]

# A fresh worker must say it is ready within this; its imports are not the upload's fault,
# so they do not count against PARSE_TIMEOUT_S.
START_TIMEOUT_S = 60.0
# Parsed once before the first job, so lazy tables (pymorphy3's dictionaries, the places
# gazetteer, the boilerplate rules) are loaded before the clock starts too.
_WARM_UP = "Семинар для приёмных семей пройдёт в Тюмени 12 марта 2027 года. Участие бесплатное."


# Imported once by the forkserver, so every fresh worker starts with them in memory.
_PRELOAD = ["bot.articles.worker", "docx", "pypdf", "trafilatura"]


class ParserUnavailable(DocumentError):
    """The worker could not be started: not the file's fault, worth trying again."""


class ParseWorker:
    """Parses uploads in a worker process, one at a time; see the module docstring."""

    def __init__(
        self, timeout_s: float = 30.0, memory_mb: int = 1024, job: Job = parse_document
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.job = job  # a module-level function: the worker imports it by name
        self._lock = asyncio.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The current worker's pid, None when there is none (tests use it)."""
        return self._process.pid if self._process is not None else None

    async def parse(
        self, data: bytes, filename: str, uploaded: dt.date | None = None
    ) -> ParsedArticle:
        """Parse in the worker; raises ``DocumentError`` subclasses, as the pipeline does.

        ``uploaded`` (the upload day) goes to the job as a third argument when given.
        """
        request: tuple[Any, ...] = (
            (data, filename) if uploaded is None else (data, filename, uploaded)
        )
        async with self._lock:
            status, payload = await self._call(request, filename)
            if status == "memory":
                await self._discard(None)  # it exits after a MemoryError: reap it
        if status == "ok":
            return payload
        if status == "refused":
            raise DocumentError(payload)
        if status == "memory":
            raise DocumentTooLarge(
                f"Файл слишком сложный: для разбора не хватило памяти "
                f"(можно до {self.memory_mb} МБ)"
            )
        log.error("parsing %r failed in the worker:\n%s", filename, payload)
        raise DocumentError("Не удалось разобрать файл: внутренняя ошибка, она записана в журнал")

    async def close(self) -> None:
        """Stop the worker at once, even mid-parse (that parse is refused)."""
        self._closed = True
        if self._lock.locked():
            # A parse is running: kill its worker; that parse sees the pipe close, refuses
            # the file and closes its end itself (closing it here would race its reader).
            process = self._process
            if process is not None:
                await asyncio.to_thread(_kill, process)
            return
        async with self._lock:
            conn, process = self._conn, self._process
            self._conn = self._process = None
            if process is not None:
                await asyncio.to_thread(_stop, conn, process)

    async def _call(self, request: tuple[Any, ...], filename: str) -> tuple[str, Any]:
        conn = await self._ready()
        call = asyncio.ensure_future(asyncio.to_thread(_round_trip, conn, request))
        try:
            done, _ = await asyncio.wait({call}, timeout=self.timeout_s)
        except asyncio.CancelledError:  # the bot is stopping: leave no parse behind
            await self._discard(call)
            raise
        if not done:
            await self._discard(call)
            raise DocumentTooLarge(
                f"Файл слишком сложный: разбор занял больше {self.timeout_s:g} с"
            )
        try:
            return call.result()
        except (EOFError, OSError):  # the worker died mid-parse: the memory cap in C code
            await self._discard(call)
            raise DocumentTooLarge(
                "Файл слишком сложный: разбор прервался (вероятно, не хватило памяти)"
            ) from None
        except Exception:  # a garbled reply: the worker is not to be trusted any more
            log.exception("the parse worker answered %r with garbage", filename)
            await self._discard(call)
            return "failed", "(see the exception above)"

    async def _ready(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        await self._discard(None)
        if self._closed:
            raise ParserUnavailable("Бот останавливается: пришлите файл после перезапуска")
        try:
            process, conn = await asyncio.to_thread(_start, self.job, self.memory_mb)
            self._process, self._conn = process, conn
        except Exception:
            log.exception("the parse worker did not start")
            raise ParserUnavailable(
                "Разбор файлов сейчас недоступен: попробуйте ещё раз через минуту"
            ) from None
        if self._closed:  # closed while it was starting
            await self._discard(None)
            raise ParserUnavailable("Бот останавливается: пришлите файл после перезапуска")
        return conn

    async def _discard(self, call: asyncio.Future | None) -> None:
        """Kill the worker; the next parse starts a fresh one."""
        conn, process = self._conn, self._process
        self._conn = self._process = None
        try:
            if process is not None:
                await asyncio.to_thread(_kill, process)
            if call is not None:  # the kill closed the pipe: the reading thread returns now
                with contextlib.suppress(Exception):
                    await call
        finally:
            if conn is not None:
                conn.close()


# --- the bot's side of the pipe (run in threads) -------------------------------------------


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Takes effect when the forkserver starts (the first worker); harmless afterwards.
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _start(job: Job, memory_mb: int) -> tuple[Any, Connection]:
    context = _context()
    ours, theirs = context.Pipe(duplex=True)
    # The environment as it is now (DATA_DIR and friends): a forked worker would otherwise
    # see the forkserver's, frozen when the first worker started.
    environment = dict(os.environ)
    process = context.Process(
        target=_serve,
        args=(theirs, job, memory_mb, environment),
        name="parse-worker",
        daemon=True,
    )
    process.start()
    theirs.close()  # only the worker holds its end: its death is EOF here
    try:
        if not ours.poll(START_TIMEOUT_S):
            raise TimeoutError(f"no word from the parse worker in {START_TIMEOUT_S:g} s")
        status, detail = ours.recv()
        if status != "ready":
            raise RuntimeError(f"the parse worker failed to start:\n{detail}")
    except BaseException:
        _kill(process)
        ours.close()
        raise
    return process, ours


def _round_trip(conn: Connection, request: tuple[Any, ...]) -> tuple[str, Any]:
    conn.send(request)
    return conn.recv()


def _kill(process: Any) -> None:
    if process.is_alive():
        process.kill()
    process.join(5)


def _stop(conn: Connection | None, process: Any) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.send(None)
        conn.close()
    process.join(2)
    _kill(process)


# --- the worker's side ---------------------------------------------------------------------


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, job: Job, memory_mb: int, environment: dict[str, str]) -> None:
    """The worker's loop: one request at a time until the pipe closes or None arrives."""
    try:
        os.environ.clear()
        os.environ.update(environment)
        _limit_memory(memory_mb)
        parse_text(_WARM_UP)
        conn.send(("ready", os.getpid()))
    except BaseException:
        with contextlib.suppress(Exception):
            conn.send(("failed", traceback.format_exc()))
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", job(*request))
        except DocumentError as exc:
            reply = ("refused", str(exc))
        except MemoryError:
            reply = ("memory", "")
        except Exception:
            reply = ("failed", traceback.format_exc())
        del request  # the upload's bytes: not kept while waiting for the next one
        try:
            conn.send(reply)
        except MemoryError:
            return  # the bot sees the pipe close
        except Exception:
            conn.send(("failed", traceback.format_exc()))
        if reply[0] == "memory":
            return  # a MemoryError may have left a library half-way: start afresh
