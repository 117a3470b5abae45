"""Only what pyproject.toml cannot say (everything else is there).

`data/` and `seeds/` stay at the repository's top level, where other tools read them, yet an
installed package must carry them: they ship as the data-only packages `bot._data` and
`bot._seeds` (bot/paths.py finds them there when not in a checkout). Every subpackage of
`bot` and `handlers` is found, so a new one needs no edit here.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["bot", "bot.*", "handlers", "handlers.*"]),
        "bot._data",
        "bot._seeds",
    ],
    package_dir={"bot._data": "data", "bot._seeds": "seeds"},
    # Not the store (data/bot.sqlite3): only the curated files.
    package_data={"bot._data": ["*.toml", "*.bin", "*.csv"], "bot._seeds": ["*.txt"]},
)
