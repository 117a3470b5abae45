"""Profile of the bot's start in process: `import aiogram`, the bot's imports, `App.create`
and `build_dispatcher` on a cached store — `python -m bench.startup_profile [SIZE]`.

The start-up row of `make bench` times `python -m bot run` to its first getUpdates from
outside; this shows where that time goes (pyinstrument, main thread)."""

from __future__ import annotations

import asyncio
import sys

from pyinstrument import Profiler


def main(size: int) -> str:
    from bench.build import cached_store

    path, _, _ = cached_store(size, 1)
    profiler = Profiler(interval=0.001)
    profiler.start()
    import aiogram  # noqa: F401 — the floor, imported first to show it apart

    from bench.common import settings_for
    from bot.app import App
    from bot.telegram.dispatcher import build_dispatcher

    async def go() -> None:
        app = await App.create(settings_for(path))
        build_dispatcher(app)
        await app.close()

    asyncio.run(go())
    profiler.stop()
    return str(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
