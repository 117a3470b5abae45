"""Command line: `python -m bot run | chat | ask "…" [«…» …] | ingest [--jobs N] PATH…`.

`chat` and `ask` import only what a local answer needs (aiogram, the store, search): the
document readers and calendar files are imported where they are used, so trying questions
from the shell costs one start-up, and `ask` takes many questions in that one start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.articles.errors import DocumentError
from bot.coordination import RedisUnavailable
from bot.datafile import DataFileError
from bot.settings import Settings, SettingsError, configure_logging, load_settings
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.articles.ingest import IngestOutcome
    from bot.articles.worker import ParseWorker

log = logging.getLogger("bot")
# A worker's first parse, while the store opens (``ingest --jobs``).
_WARM_UP_TEXT = "Семинар для приёмных семей\n\nСеминар пройдёт в Тюмени.".encode()

# Updates handled at once in long polling (aiogram starts a task per update): a burst
# waits in Telegram's order instead of thousands of tasks sharing one core. In webhook
# mode Telegram's max_connections (40) bounds it.
MAX_CONCURRENT_UPDATES = 64


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Бот помощи семьям")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="start the bot (long polling; webhook with WEBHOOK_URL, WORKERS=N workers)"
    )
    run.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    chat = sub.add_parser("chat", help="local chat in the terminal, no token needed")
    ask = sub.add_parser(
        "ask", help="print the replies to questions and exit (each argument is one question)"
    )
    ask.add_argument("text", nargs="+", help="questions; «-» reads one question per line of stdin")
    for local in (chat, ask):
        local.add_argument(
            "--admin",
            action="store_true",
            help="the person at the terminal is an admin (owner) for this session",
        )
    ingest = sub.add_parser(
        "ingest", help="add articles from files, and from the folders given (recursively)"
    )
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a file or a folder")
    ingest.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="parse in N processes and store in batches (default 1: one by one, as an upload)",
    )
    ingest.add_argument(
        "--near-duplicates",
        action="store_true",
        help="with --jobs: also compare each text with the stored articles whose titles match "
        "best, as an upload is (slower)",
    )
    move = sub.add_parser(
        "migrate-store", help="copy a SQLite store into PostgreSQL (safe to re-run)"
    )
    move.add_argument("--from", dest="source", required=True, help="sqlite:///path/bot.sqlite3")
    move.add_argument("--to", dest="target", required=True, help="postgresql://user@host/db")
    args = parser.parse_args(argv)
    if args.command == "migrate-store":
        return _migrate_store(args.source, args.target)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        _preflight(settings)
    except DataFileError as exc:
        print(f"Ошибка в файле данных: {exc}", file=sys.stderr)
        return 2
    if args.command != "run":
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        if args.command == "run":
            if settings.bot_token is None:
                print(
                    "Setting BOT_TOKEN is missing: get one from @BotFather and put it in .env",
                    file=sys.stderr,
                )
                return 2
            if settings.workers > 1 and not args.worker:
                return asyncio.run(_supervise(settings))
            if settings.is_postgres:  # workers share it: no lock, claims and dedupe instead
                return asyncio.run(_run(settings, worker=args.worker))
            from bot.store.sqlite import AlreadyRunning, run_lock

            try:
                with run_lock(settings.database_path):
                    return asyncio.run(_run(settings))
            except AlreadyRunning as exc:
                print(f"Not started: {exc}", file=sys.stderr)
                return 2
        if args.command in ("chat", "ask") and args.admin:
            from bot.telegram.console import CONSOLE_USER_ID

            settings = settings.model_copy(
                update={"admin_ids": settings.admin_ids | {CONSOLE_USER_ID}}
            )
        if args.command == "chat":
            return asyncio.run(_chat(settings))
        if args.command == "ask":
            return asyncio.run(_ask(settings, _questions(args.text)))
        return asyncio.run(_ingest(settings, args.paths, args.jobs, args.near_duplicates))
    except KeyboardInterrupt:
        return 130
    except DataFileError as exc:
        print(f"Ошибка в файле данных: {exc}", file=sys.stderr)
        return 2
    except (StoreUnavailable, RedisUnavailable) as exc:
        print(f"Not started: {exc}", file=sys.stderr)
        return 2


def _migrate_store(source: str, target: str) -> int:
    """Needs no settings (no token, no data files): only the two stores."""
    from bot.store.transfer import TransferError, migrate_store

    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(migrate_store(source, target))
    except TransferError as exc:
        print(f"Не перенесено: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:  # refused, no such database, wrong password
        print(f"Не перенесено: нет связи с базой ({exc})", file=sys.stderr)
        return 2
    print("Готово: данные перенесены, индекс поиска перестроен.")
    return 0


def _preflight(settings: Settings) -> None:
    """Check every curated data file before the slow imports (aiogram, the store): a bad
    file stops the start within a second, with one line. App.create checks them again."""
    from bot.datafile import validate_data_files
    from bot.domain.cards import load_cards
    from bot.domain.crisis import check_lexicon
    from bot.domain.smalltalk import SmallTalkReader

    validate_data_files(settings.data_dir)
    check_lexicon(settings.data_dir / "crisis.toml")
    load_cards(settings.data_dir / "cards.toml")
    SmallTalkReader.from_file(settings.data_dir / "smalltalk.toml")


async def _run(settings: Settings, worker: bool = False) -> int:
    """One bot: long polling, or a webhook server. A `--worker` started by `_supervise`
    leaves the webhook and the command menus to its parent."""
    from bot.app import App
    from bot.telegram.dispatcher import build_bot, build_dispatcher, register_commands
    from bot.telegram.outbox import OutboxSender
    from bot.telegram.webhook import ensure_webhook, serve_webhook

    app = await App.create(settings)
    # The search vocabulary, lexicons and caches are long-lived and large (hundreds of
    # thousands of objects at 100k articles): keep the cyclic garbage collector from walking
    # them on every full collection, which otherwise shows up as 50–100 ms pauses on answers.
    gc.freeze()
    bot = build_bot(settings)
    dp = build_dispatcher(app)
    try:
        if not worker:
            await register_commands(bot, settings, app.roles.staff.editors)
        await app.start_background(OutboxSender(app.store, bot, **app.sender_options()))
        if settings.webhook_url:
            if not worker:
                await ensure_webhook(bot, dp, settings, app.store)
            await serve_webhook(bot, dp, settings, app.shared.dedupe if app.shared else None)
        else:
            log.info("bot started: long polling")
            await dp.start_polling(
                bot, handle_signals=True, tasks_concurrency_limit=MAX_CONCURRENT_UPDATES
            )
    finally:
        await app.stop_background()
        await bot.session.close()
        await app.close()
    return 0


async def _supervise(settings: Settings) -> int:
    """WORKERS=N: the once-only work here (migrations, seeds, webhook, menus), then N
    worker processes (bot.workers)."""
    from bot.app import App
    from bot.telegram.dispatcher import build_bot, build_dispatcher, register_commands
    from bot.telegram.webhook import ensure_webhook
    from bot.workers import supervise

    app = await App.create(settings)
    bot = build_bot(settings)
    try:
        await register_commands(bot, settings, app.roles.staff.editors)
        await ensure_webhook(bot, build_dispatcher(app), settings, app.store)
    finally:
        await bot.session.close()
        await app.close()
    return await supervise(settings.workers)


def _questions(arguments: list[str]) -> list[str]:
    """Each argument is a question; «-» stands for the lines of stdin (blank ones skipped)."""
    questions: list[str] = []
    for argument in arguments:
        if argument == "-":
            questions.extend(line.strip() for line in sys.stdin if line.strip())
        elif argument.strip():
            questions.append(argument.strip())
    return questions


async def _console(settings: Settings):
    from bot.app import App
    from bot.telegram.console import ConsoleSession
    from bot.telegram.dispatcher import build_bot, build_dispatcher

    # The person at the terminal is not a flood: `ask -` may feed hundreds of questions.
    settings = settings.model_copy(update={"flood_limit": 0, "callback_limit": 0})
    app = await App.create(settings)
    session = ConsoleSession()
    bot = build_bot(settings.model_copy(update={"bot_token": None}), session=session)
    return app, bot, build_dispatcher(app), session


async def _chat(settings: Settings) -> int:
    from bot.telegram.console import CONSOLE_USER_ID, run_chat

    app, bot, dp, session = await _console(settings)
    try:
        await run_chat(bot, dp, session, admin=CONSOLE_USER_ID in settings.admin_ids)
    finally:
        await app.close()
    return 0


async def _ask(settings: Settings, questions: list[str]) -> int:
    """One reply as is; several in order, in one conversation (as typed into the chat), each
    headed by its question."""
    from bot.telegram.console import CONSOLE_USER_ID, ConsoleChat

    app, bot, dp, session = await _console(settings)
    chat = ConsoleChat(bot, dp, session, admin=CONSOLE_USER_ID in settings.admin_ids)
    try:
        for question in questions:
            if len(questions) > 1:
                print(f"=== {question}", file=session.out)
            await chat.send(question)
    finally:
        await app.close()
    return 0


def _jobs(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"a number of processes from 1 to 64, not {text!r}")
    return int(text)


def _ingest_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(the files to add, the folders holding none): folders are walked recursively."""
    from bot.articles.bulk import collect_files

    files: list[Path] = []
    empty: list[Path] = []
    for path in paths:
        found = collect_files([path])
        files.extend(found)
        if path.is_dir() and not found:
            empty.append(path)
    return files, empty


def _ingest_line(path: Path | str, outcome: IngestOutcome) -> str:
    """One line per file: stored (with what was found), already there, or why not."""
    if outcome.error:
        return f"{path}: не сохранено — {outcome.error}"
    if outcome.duplicate_of:
        return f"{path}: уже есть: #{outcome.duplicate_of}"
    parsed = outcome.parsed
    assert parsed is not None  # set for every outcome without an error
    events = (
        ", ".join(f"{e.kind} {e.start:%d.%m.%Y}–{e.end:%d.%m.%Y}" for e in parsed.events) or "нет"
    )
    date = parsed.published.isoformat() if parsed.published else "без даты"
    return (
        f"{path}: сохранено #{outcome.article_id} «{parsed.title}» ({date}); "
        f"места: {', '.join(parsed.places) or 'нет'}; мероприятия: {events}"
    )


async def _ingest(
    settings: Settings, paths: list[Path], jobs: int = 1, near_duplicates: bool = False
) -> int:
    from bot.app import App

    files, empty = _ingest_files(paths)
    for folder in empty:
        print(f"{folder}: не сохранено — в папке нет файлов .txt, .md, .html, .docx или .pdf")
    if jobs > 1:
        failed = await _ingest_bulk(settings, files, jobs, near_duplicates)
        return 1 if failed or empty else 0
    app = await App.create(settings)
    failed = len(empty)
    try:
        for path in files:
            outcome = await app.library.add_file(path)
            failed += outcome.error is not None
            print(_ingest_line(path, outcome))
    finally:
        await app.close()
    return 1 if failed else 0


async def _ingest_bulk(
    settings: Settings, files: list[Path], jobs: int, near_duplicates: bool
) -> int:
    """``ingest --jobs N``: parsed in N worker processes, stored in batches
    (bot.articles.bulk); then one search refresh. New events are planned for subscribers
    once per batch, as ``Library.add`` plans them for one article."""
    import os
    import time

    from bot.app import App
    from bot.articles.bulk import BulkImport, parse_for_store
    from bot.articles.worker import ParseWorker

    started = time.perf_counter()
    # A worker's answer is read by a thread of this process, which then waits for the GIL
    # while the event loop stores the batch before: up to the switch interval (5 ms), more
    # than a parse takes, with the worker idle meanwhile. Hand the GIL over sooner.
    sys.setswitchinterval(0.0005)
    # The workers read the data files through DATA_DIR (App.create sets it too): set before
    # they start, and they start while the store opens — their imports take seconds.
    os.environ["DATA_DIR"] = str(settings.data_dir)
    parsers = [
        ParseWorker(settings.parse_timeout_s, settings.parse_memory_mb, job=parse_for_store)
        for _ in range(jobs)
    ]
    warm_up = [asyncio.ensure_future(_warm_up(parser)) for parser in parsers]
    try:
        app = await App.create(settings)
    except BaseException:
        await asyncio.gather(*(parser.close() for parser in parsers), return_exceptions=True)
        raise
    await asyncio.gather(*warm_up)
    opened = time.perf_counter()

    async def plan_notifications(stored: list[IngestOutcome]) -> None:
        # What Library.add asks of the planner for one article, once per batch.
        await app.planner.new_articles([o.article_id for o in stored if o.article_id])

    bulk = BulkImport(
        app.store,
        parsers,
        upload_limit=settings.max_upload_mb * 1024 * 1024,
        today=settings.today,
        near_duplicates=near_duplicates,
        on_stored=plan_notifications,
    )
    try:
        async for outcome in bulk.run(files):
            print(_ingest_line(outcome.name, outcome))
        await app.search.refresh()
    finally:
        await asyncio.gather(*(parser.close() for parser in parsers), return_exceptions=True)
        await app.close()
    counts = bulk.counts
    now = time.perf_counter()
    rate = counts.files / max(now - opened, 1e-9)
    print(
        f"Итого файлов: {counts.files} за {now - opened:.1f} с, {rate:.0f} в секунду "
        f"(разбор в {jobs} процессах; с запуском {now - started:.1f} с): сохранено "
        f"{counts.stored}, уже есть {counts.duplicates}, не сохранено {counts.failed}"
    )
    return 1 if counts.failed else 0


async def _warm_up(parser: ParseWorker) -> None:
    """Start a worker (and the forkserver with its imports) before the first file needs it;
    a worker that cannot start is the first file's business, reported there."""
    with contextlib.suppress(DocumentError):
        await parser.parse(_WARM_UP_TEXT, "warm-up.txt")


if __name__ == "__main__":
    sys.exit(main())
