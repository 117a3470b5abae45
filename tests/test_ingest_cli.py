"""`python -m bot ingest FILE…`: a line per file, non-zero exit on failure, facts `ask` finds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def run(db: Path, *args: str, today: str = "2026-11-23") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "BOT_TODAY": today,
        "BOT_TOKEN": "",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_ingest_reports_each_file_and_ask_finds_the_facts(db_path):
    db = db_path  # a copy of the seeded template store: no seeding in every subprocess
    good = [
        "webinar_cp1251.txt",
        "helpline_koi8r.txt",
        "family_mfc.html",
        "forum_kazan.docx",
        "contest_samara.pdf",
    ]
    proc = run(db, "ingest", *[str(FIXTURES / name) for name in good])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(good) and all("сохранено #" in line for line in lines)
    assert "вебинар 12.01.2027" in proc.stdout and "форум 03.03.2027–05.03.2027" in proc.stdout

    again = run(db, "ingest", str(FIXTURES / "webinar_cp1251.txt"))
    assert again.returncode == 0 and "уже есть: #" in again.stdout

    answer = run(db, "ask", "вебинар о сопровождении замещающих семей")
    assert "Вебинар о сопровождении замещающих семей" in answer.stdout
    answer = run(db, "ask", "/events Казань")
    assert "3–5 марта 2027" in answer.stdout and "Казань" in answer.stdout


def test_ingest_fails_non_zero_and_names_the_problem(db_path, tmp_path):
    db = db_path
    proc = run(
        db,
        "ingest",
        str(FIXTURES / "junk.txt"),
        str(FIXTURES / "fake.docx"),
        str(tmp_path / "missing.txt"),
    )
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 3 and all("не сохранено" in line for line in lines)
