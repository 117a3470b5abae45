"""aiogram routers, one module per user-facing area; `setup_routers` wires them in order.

Order matters: admin commands and callbacks first, the free-text search last, and the
catch-all for stickers, photos and the like after it.
"""

import importlib

from aiogram import Dispatcher

MODULES = ("errors", "common", "admin", "services", "events", "search", "inline", "other")


def setup_routers(dp: Dispatcher) -> None:
    # A Router attaches to one dispatcher only; tests and benchmarks build several in one
    # process, so every build takes fresh module-level routers (a reload re-creates them).
    routers = []
    for name in MODULES:
        module = importlib.import_module(f"handlers.{name}")
        if module.router.parent_router is not None:
            module = importlib.reload(module)
        routers.append(module.router)
    dp.include_routers(*routers)
