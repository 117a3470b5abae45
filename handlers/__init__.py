"""aiogram routers, one module per user-facing area, each built by its `make_router()`.

Order matters: errors first, admin commands and callbacks before the rest, the hand-off to
a specialist before the free-text search (an open conversation is relayed, not answered),
the search late, and the catch-all for stickers, photos and the like last. A Router
attaches to one dispatcher only, so every dispatcher (tests and benchmarks build several
in one process) gets fresh routers from these factories.
"""

from aiogram import Router

from handlers import (
    admin,
    broadcast,
    centres,
    common,
    editors,
    errors,
    events,
    feedback,
    handoff,
    inline,
    other,
    region,
    review,
    search,
    services,
)

# editors, review (its «type the article's number» step sees an editor's text before the
# search does) and feedback (👍 / 👎) with the admin commands.
AREAS = (
    errors,
    common,
    centres,  # before admin: a file captioned /centres is a directory, not an article
    admin,
    editors,
    review,
    feedback,
    broadcast,
    services,
    events,
    handoff,
    region,  # after the hand-off (a conversation is relayed), before the search
    search,
    inline,
    other,
)


def make_routers() -> list[Router]:
    return [area.make_router() for area in AREAS]
