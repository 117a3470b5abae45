"""The command line, `python -m bot run | ask "…" | ingest FILE…`, called in this process.

`main(argv)` is what `python -m bot` runs; calling it here (the environment set as the shell
would, stdout and stderr captured, logging set up by `main` itself as in a fresh process)
tells the same as a subprocess without paying a Python start per test. What only a real
process can show — `run` with long polling, the webhook — is in tests/e2e/test_run.py.

Settings: a bad one stops the start with one line. `ingest`: a line per file, non-zero exit
on failure, facts `ask` then finds. A second `run` on the same store and a webhook without a
secret refuse to start. A broken data file stops the command line with one line naming it.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.articles import limits
from bot.settings import SettingsError, load_settings
from bot.store.sqlite.store import run_lock
from tests.fakebotapi import TEST_TOKEN
from tests.support import DATA, FIXTURES

MIB = 1024 * 1024


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path):
    """`cli("ask", "привет", DATABASE_URL=…)` → (exit code, stdout, stderr) of `main`.

    Run from an empty folder (no developer's .env), with the environment of this process
    plus the given variables; the root logger is left bare while `main` runs, so its
    `configure_logging` sets up logging to stderr as in a fresh process, and is restored
    after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATA_DIR", raising=False)  # App.create exports it for its workers
    root = logging.getLogger()

    def run(*argv: str, **env: str) -> tuple[int, str, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        saved_handlers, saved_level = root.handlers[:], root.level
        root.handlers = []
        try:
            code = main(list(argv))
        finally:
            for handler in root.handlers:
                handler.close()
            root.handlers = saved_handlers
            root.setLevel(saved_level)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def alive_threads() -> set[threading.Thread]:
    """Threads that would keep a process from exiting."""
    return {t for t in threading.enumerate() if t.is_alive() and not t.daemon}


# ---- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BOT_TODAY", "2024-13-45", "BOT_TODAY"),
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none", "PostgreSQL 127.0.0.1:1"),
        ("REDIS_URL", "redis://127.0.0.1:1/0", "Redis"),
        ("WORKERS", "2", "WORKERS"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN"),
        ("TELEGRAM_API_BASE", "ftp://x", "TELEGRAM_API_BASE"),
        ("FLOOD_LIMIT", "-1", "FLOOD_LIMIT"),
    ],
)
def test_bad_setting_stops_with_one_line(cli, name, value, expected, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", name: value}
    code, _, err = cli("ask", "привет", **env)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in err


def test_webhook_without_a_secret_refuses_to_start(cli):
    with pytest.raises(SettingsError, match="Setting WEBHOOK_SECRET is invalid"):
        load_settings(webhook_url="https://bot.example.org/hook", webhook_secret="")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(webhook_url="https://bot.example.org/hook", webhook_secret="short")
    code, _, err = cli(
        "run", WEBHOOK_URL="https://bot.example.org/hook", WEBHOOK_SECRET="", BOT_TOKEN=TEST_TOKEN
    )
    assert code == 2
    assert err.strip().startswith("Setting WEBHOOK_SECRET is invalid")


def test_a_second_run_on_the_same_database_refuses_to_start(cli, db_path):
    """Two `run` processes would both drain the outbox and notify everyone twice."""
    env = {
        "DATABASE_URL": f"sqlite:///{db_path}",
        "BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE": "http://127.0.0.1:9",
    }
    with run_lock(db_path):  # the lock is flock's: another open file, even in this process
        code, _, err = cli("run", **env)
    assert code == 2
    assert err.strip().startswith("Not started: another bot is already running")


# ---- data files ------------------------------------------------------------------------------


def test_the_command_line_exits_non_zero_with_that_line(cli, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.sqlite3*"))
    path = folder / "crisis.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\nunknown_key = 1\n", encoding="utf-8")
    before = alive_threads()
    code, _, err = cli(
        "ask",
        "привет",
        DATA_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        BOT_TOKEN="",
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "crisis.toml" in lines[0], err
    # It exits, it does not hang on the store's thread (the old failure mode): nothing is
    # left running that would keep the process alive.
    assert alive_threads() <= before


# ---- ask, ingest -----------------------------------------------------------------------------


def test_ask_prints_the_reply(cli, db_path):
    code, out, err = cli(
        "ask", "телефон доверия", DATABASE_URL=f"sqlite:///{db_path}", BOT_TOKEN=""
    )
    assert code == 0, err
    assert "8-800-2000-122" in out and "<b>" not in out


def test_ingest_reports_each_file_and_ask_finds_the_facts(cli, db_path):
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "BOT_TODAY": "2026-11-23", "BOT_TOKEN": ""}
    good = [
        "webinar_cp1251.txt",
        "helpline_koi8r.txt",
        "family_mfc.html",
        "forum_kazan.docx",
        "contest_samara.pdf",
    ]
    code, out, err = cli("ingest", *[str(FIXTURES / name) for name in good], **env)
    assert code == 0, out + err
    lines = out.strip().splitlines()
    assert len(lines) == len(good) and all("сохранено #" in line for line in lines)
    assert "вебинар 12.01.2027" in out and "форум 03.03.2027–05.03.2027" in out

    code, out, _ = cli("ingest", str(FIXTURES / "webinar_cp1251.txt"), **env)
    assert code == 0 and "уже есть: #" in out

    _, answer, _ = cli("ask", "вебинар о сопровождении замещающих семей", **env)
    assert "Вебинар о сопровождении замещающих семей" in answer
    _, answer, _ = cli("ask", "/events Казань", **env)
    assert "3–5 марта 2027" in answer and "Казань" in answer


def test_ingest_fails_non_zero_and_names_the_problem(cli, db_path, tmp_path):
    code, out, _ = cli(
        "ingest",
        str(FIXTURES / "junk.txt"),
        str(FIXTURES / "fake.docx"),
        str(tmp_path / "missing.txt"),
        DATABASE_URL=f"sqlite:///{db_path}",
        BOT_TODAY="2026-11-23",
        BOT_TOKEN="",
    )
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 3 and all("не сохранено" in line for line in lines)


def test_ingest_refuses_a_file_over_the_upload_limit(cli, db_path, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(("Семья и дети. " * (2 * MIB // 20)).encode())
    count = "SELECT count(*) FROM articles"
    with sqlite3.connect(db_path) as db:
        before = db.execute(count).fetchone()[0]
    code, out, err = cli(
        "ingest", str(big), DATABASE_URL=f"sqlite:///{db_path}", BOT_TOKEN="", MAX_UPLOAD_MB="1"
    )
    assert code == 1, out + err
    refusal = limits.too_large_message(big.stat().st_size, MIB)
    assert refusal.startswith("Файл слишком большой (2.") and refusal.endswith("можно до 1 МБ.")
    assert f"не сохранено — {refusal}" in out
    with sqlite3.connect(db_path) as db:
        assert db.execute(count).fetchone()[0] == before


# ---- ask: several questions, stdin, --admin ------------------------------------------------


def test_ask_answers_several_questions_each_under_its_own(cli, db_path):
    code, out, _ = cli(
        "ask",
        "телефон доверия",
        "что такое семейный мфц",
        "/stats",
        DATABASE_URL=f"sqlite:///{db_path}",
    )
    assert code == 0
    parts = out.split("=== ")
    assert [p.splitlines()[0] for p in parts[1:]] == [
        "телефон доверия",
        "что такое семейный мфц",
        "/stats",
    ]
    assert "8-800-2000-122" in parts[1] and "одного окна" in parts[2]
    assert "ARGS=--admin" in parts[3]  # the refused admin command says how to be one here


def test_ask_reads_questions_from_stdin(cli, db_path, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("телефон доверия\n\nпривет\n"))
    code, out, _ = cli("ask", "-", DATABASE_URL=f"sqlite:///{db_path}")
    assert code == 0
    assert "=== телефон доверия" in out and "=== привет" in out
    assert out.index("8-800-2000-122") < out.index("=== привет")


def test_ask_as_admin(cli, db_path):
    code, out, _ = cli("ask", "--admin", "/stats", DATABASE_URL=f"sqlite:///{db_path}")
    assert code == 0
    assert "Статистика" in out and "только для администраторов" not in out


# ---- ingest --jobs: folders, worker processes, batches -------------------------------------


def test_ingest_jobs_walks_folders_stores_in_batches_and_skips_the_bad(cli, db_path, tmp_path):
    """Good files in a folder tree, the same text again under another name (and another
    encoding: the content hash is blind to it), a file that is not a document, one over the
    upload limit, and a file of a kind the walk leaves alone."""
    folder = tmp_path / "articles"
    (folder / "events").mkdir(parents=True)
    shutil.copy(FIXTURES / "webinar_cp1251.txt", folder / "a_webinar.txt")
    shutil.copy(FIXTURES / "family_mfc.html", folder / "b_mfc.html")
    shutil.copy(FIXTURES / "forum_kazan.docx", folder / "events" / "c_forum.docx")
    webinar = (FIXTURES / "webinar_cp1251.txt").read_bytes().decode("cp1251")
    (folder / "events" / "d_webinar_again.txt").write_text(webinar, encoding="utf-8")
    shutil.copy(FIXTURES / "fake.docx", folder / "e_broken.docx")
    (folder / "f_huge.txt").write_bytes(("Семья и дети. " * (2 * MIB // 20)).encode())
    (folder / "notes.csv").write_text("не статья", encoding="utf-8")
    (folder / ".hidden.txt").write_text("не статья", encoding="utf-8")
    count = "SELECT count(*) FROM articles"
    with sqlite3.connect(db_path) as db:
        before = db.execute(count).fetchone()[0]
    env = {
        "DATABASE_URL": f"sqlite:///{db_path}",
        "BOT_TODAY": "2026-11-23",
        "BOT_TOKEN": "",
        "MAX_UPLOAD_MB": "1",
    }
    asyncio.run(_subscribe(db_path, chat_id=42))  # to everything

    code, out, err = cli("ingest", "--jobs", "2", str(folder), **env)

    assert code == 1, out + err  # a file failed
    lines = out.strip().splitlines()
    names = [
        "a_webinar.txt",
        "b_mfc.html",
        "e_broken.docx",
        "events/c_forum.docx",  # sorted by path parts: the tree's order
        "events/d_webinar_again.txt",
        "f_huge.txt",
    ]
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [str(folder / n) for n in names]
    webinar_line, mfc, broken, forum, again, huge = lines[:-1]
    assert "сохранено #" in webinar_line and "вебинар 12.01.2027" in webinar_line
    assert "сохранено #" in mfc
    assert "форум 03.03.2027–05.03.2027" in forum
    webinar_id = webinar_line.split("сохранено #", 1)[1].split(" ", 1)[0]
    assert again.endswith(f"уже есть: #{webinar_id}")
    assert "не сохранено — " in broken and "docx" in broken
    size = (folder / "f_huge.txt").stat().st_size
    assert huge.endswith(f"не сохранено — {limits.too_large_message(size, MIB)}")
    summary = lines[-1]
    assert summary.startswith("Итого файлов: 6 за ")
    assert summary.endswith("сохранено 3, уже есть 1, не сохранено 2")
    with sqlite3.connect(db_path) as db:
        assert db.execute(count).fetchone()[0] == before + 3
        origins = {row[0] for row in db.execute("SELECT origin FROM articles")}
    assert {"ingest:a_webinar.txt", "ingest:b_mfc.html", "ingest:c_forum.docx"} <= origins
    assert not {"ingest:e_broken.docx", "ingest:f_huge.txt"} & origins

    _, answer, _ = cli("ask", "вебинар о сопровождении замещающих семей", **env)
    assert "Вебинар о сопровождении замещающих семей" in answer
    _, answer, _ = cli("ask", "/events Казань", **env)
    assert "3–5 марта 2027" in answer and "Казань" in answer
    # The subscriber hears of each new upcoming event once, as after an upload.
    with sqlite3.connect(db_path) as db:
        queued = db.execute("SELECT chat_id, notice, event_id FROM outbox").fetchall()
        upcoming = db.execute(
            "SELECT e.id FROM events e JOIN articles a ON a.id = e.article_id"
            " WHERE a.origin LIKE 'ingest:%' AND e.start_date >= '2026-11-23'"
            " AND e.status = 'announce' ORDER BY e.id"
        ).fetchall()
    assert len(upcoming) >= 2  # the webinar and the forum at least
    assert sorted(queued) == [(42, "new", event_id) for (event_id,) in upcoming]

    # Run again: every article is already there, and says which.
    code, out, _ = cli("ingest", "--jobs", "2", str(folder / "events"), **env)
    assert code == 0
    assert out.strip().splitlines()[-1].endswith("сохранено 0, уже есть 2, не сохранено 0")


def test_ingest_jobs_one_is_the_upload_path_and_folders_work_there_too(cli, db_path, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(FIXTURES / "helpline_koi8r.txt", folder / "helpline.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "BOT_TODAY": "2026-11-23", "BOT_TOKEN": ""}
    code, out, _ = cli("ingest", str(folder), str(empty), **env)
    assert code == 1  # a folder with nothing to add is reported
    lines = out.strip().splitlines()
    assert len(lines) == 2  # one line per file, no summary: as before --jobs
    assert lines[0].startswith(f"{empty}: не сохранено — в папке нет файлов")
    assert lines[1].startswith(f"{folder / 'helpline.txt'}: сохранено #")
    with pytest.raises(SystemExit) as refused:  # argparse's own refusal
        cli("ingest", "--jobs", "0", str(folder), **env)
    assert refused.value.code == 2


async def _subscribe(db_path: Path, chat_id: int) -> None:
    from bot.store.sqlite import SqliteStore

    store = await SqliteStore.open(db_path)
    try:
        await store.subscribe(chat_id, "")
    finally:
        await store.close()
