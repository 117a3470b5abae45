"""Curated data files are validated at load: a mistake stops the start with one line that
names the file, the key and the problem — never a bot that silently has no crisis rules
(a misspelt key used to load zero rules, and «меня бьют дома» got «не нашёл»).
DATA_DIR is honoured by every loader. (The command line: tests/e2e/test_cli.py.)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.app import App
from bot.datafile import DataFileError
from tests.conftest import make_settings
from tests.support import DATA


def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.sqlite3*"))
    return folder


BROKEN = [
    # (file, what to change, what the one line must name)
    ("crisis.toml", ("[categories.suicide]", "[categoriez.suicide]"), "categoriez"),
    ("crisis.toml", ('danger = "', 'dangr = "'), "dangr"),
    ("cards.toml", ('as_of = "2025-08-27"', 'as_of = "27.08.2025"'), "as_of"),
    ("cards.toml", ('summary = "112', 'summery = "112'), "summery"),
    ("smalltalk.toml", ('key = "menu"', 'kee = "menu"'), "kee"),
    ("search.toml", ("number_words =", "number_wrds ="), "number_wrds"),
    ("event_kinds.toml", ('name = "форум"', 'nam = "форум"'), "nam"),
    ("boilerplate.toml", ("min_words_before = 30", "min_words_before = -3"), "min_words_before"),
    ("places.toml", ("not_places =", "not_place ="), "not_place"),
]


@pytest.mark.parametrize(
    ("name", "change", "named"), BROKEN, ids=[f"{b[0]}:{b[2]}" for b in BROKEN]
)
async def test_a_broken_file_stops_the_start_with_one_line(tmp_path, name, change, named):
    folder = data_copy(tmp_path)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        await App.create(make_settings(tmp_path / "bot.sqlite3", data_dir=folder))
    line = str(info.value)
    assert "\n" not in line and name in line and named in line, line


async def test_data_dir_is_honoured_by_every_loader(tmp_path):
    folder = data_copy(tmp_path)
    boiler = folder / "boilerplate.toml"
    boiler.write_text(
        boiler.read_text(encoding="utf-8").replace(
            "exact = [", 'exact = [\n    "уникальная строка меню сайта",', 1
        ),
        encoding="utf-8",
    )
    places = folder / "places.toml"
    places.write_text(
        places.read_text(encoding="utf-8") + '\n"Мухосранск" = "Вымышленная область"\n',
        encoding="utf-8",
    )
    app = await App.create(make_settings(tmp_path / "bot.sqlite3", data_dir=folder))
    try:
        from bot.articles.cleaning import clean_text
        from bot.articles.places import nearby_places

        cleaned = clean_text("Заголовок\nуникальная строка меню сайта\nТекст статьи о семье.")
        assert "уникальная строка меню сайта" not in " ".join(cleaned.paragraphs)
        assert "Вымышленная область" in nearby_places("Мухосранск")
    finally:
        await app.close()
        os.environ.pop("DATA_DIR", None)
