"""Where the curated files are: a source checkout and an installed wheel differ.

In a checkout (`pip install -e .`, or running from the repository) `data/` and `seeds/` are
at the repository's top level, where other tools read them too. A wheel carries the same
files inside the package as `bot/_data` and `bot/_seeds` (setup.py maps them there), because
site-packages has no project root. DATA_DIR and SEEDS_DIR override both.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# A checkout has its pyproject.toml next to the package; site-packages never does.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def _bundled(checkout_name: str, package_name: str) -> Path:
    if IN_CHECKOUT:
        return PROJECT_ROOT / checkout_name
    return PACKAGE_DIR / package_name


DEFAULT_DATA_DIR = _bundled("data", "_data")
DEFAULT_SEEDS_DIR = _bundled("seeds", "_seeds")
