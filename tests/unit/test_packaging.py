"""`pip install .` gives a working install: the wheel carries every subpackage of bot and
handlers, and the curated files (data/*.toml, the distress model, seeds/) inside the package
— never the store. Built offline from a copy of the sources (the build leaves build/ and
*.egg-info behind, which must not land in the working tree)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_subpackages_data_and_seeds(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.sqlite3*", "*.egg-info")
    for name in ("bot", "handlers", "data", "seeds"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {
        str(init.parent.relative_to(ROOT)) for top in ("bot", "handlers")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert {"bot/articles", "bot/store/sqlite", "bot/telegram/views"} <= packages
    assert {f"{p}/__init__.py" for p in packages} <= names
    for toml in (ROOT / "data").glob("*.toml"):
        assert f"bot/_data/{toml.name}" in names
    assert "bot/_data/distress_model.bin" in names
    assert {f"bot/_seeds/{s.name}" for s in (ROOT / "seeds").iterdir()} <= names
    assert not any(n.endswith(".sqlite3") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "family-support-bot = bot.__main__:main" in zipfile.ZipFile(wheel).read(
        entry_points
    ).decode()
