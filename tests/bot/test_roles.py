"""Owners (ADMIN_IDS) and editors: an owner adds and removes editors; an editor uploads,
lists, deletes, reviews and reads statistics but does not manage editors; everyone else is
refused; every change is in the audit log."""

from __future__ import annotations

import pytest

from bot.telegram.views import texts
from tests.bot.test_admin import snapshot, upload
from tests.conftest import ADMIN_ID, USER_ID
from tests.inprocess import start_inprocess, stop_inprocess
from tests.support import FIXTURES

EDITOR_ID = 4242


async def add_editor(h, user_id: int = EDITOR_ID) -> str:
    return await h.ask(f"/editors add {user_id}", user_id=ADMIN_ID)


async def test_owner_adds_and_removes_an_editor_with_audit(harness, fake_api):
    assert f"Добавил редактора {EDITOR_ID}" in await add_editor(harness)
    menu = [c for c in fake_api.calls_of("setMyCommands") if c.params["scope"].get("chat_id") == EDITOR_ID]
    assert menu and "review" in {c["command"] for c in menu[-1].params["commands"]}
    assert "editors" not in {c["command"] for c in menu[-1].params["commands"]}
    assert f"{EDITOR_ID} уже редактор" in await add_editor(harness)
    team = await harness.ask("/editors", user_id=ADMIN_ID)
    assert f"• {EDITOR_ID} — с " in team and str(ADMIN_ID) in team
    assert "Статистика" in await harness.ask("/stats", user_id=EDITOR_ID)
    assert f"Убрал редактора {EDITOR_ID}" in await harness.ask(
        f"/editors remove {EDITOR_ID}", user_id=ADMIN_ID
    )
    assert (await harness.ask("/stats", user_id=EDITOR_ID)).startswith(texts.ADMIN_REFUSAL)
    menu = [c for c in fake_api.calls_of("setMyCommands") if c.params["scope"].get("chat_id") == EDITOR_ID]
    assert "review" not in {c["command"] for c in menu[-1].params["commands"]}
    audit = [(a[1], a[2], a[3]) for a in await harness.app.store.recent_audit(10)]
    assert (ADMIN_ID, "editor_add", f"#{EDITOR_ID}") in audit
    assert (ADMIN_ID, "editor_remove", f"#{EDITOR_ID}") in audit


async def test_an_editor_works_the_queue_and_articles_but_not_editors(harness):
    await add_editor(harness)
    await harness.ask("справка в бассейн")
    assert "справка в бассейн" in await harness.ask("/review", user_id=EDITOR_ID)
    assert "всего 5" in await harness.ask("/articles", user_id=EDITOR_ID)
    reply = await upload(
        harness, (FIXTURES / "family_mfc.html").read_bytes(), "mfc.html", user=EDITOR_ID
    )
    assert "Сохранил статью #" in reply
    before = await snapshot(harness.app)
    assert await harness.ask("/editors", user_id=EDITOR_ID) == texts.OWNER_ONLY
    assert await harness.ask(f"/editors add {USER_ID}", user_id=EDITOR_ID) == texts.OWNER_ONLY
    refusal = await harness.ask("/stats", user_id=USER_ID)  # not added
    assert refusal.startswith(texts.ADMIN_REFUSAL)
    assert await snapshot(harness.app) == before
    audit = [(a[1], a[2]) for a in await harness.app.store.recent_audit(10)]
    assert (EDITOR_ID, "add") in audit  # the editor's upload is audited under their id


@pytest.mark.parametrize(
    "command", ["/editors", f"/editors add {USER_ID}", "/editors remove 1", "/review"]
)
async def test_everyone_else_is_refused(harness, command):
    refusal = await harness.ask(command, user_id=USER_ID)
    # Whom to ask, and the id the owner needs for /editors add — the asker's own.
    assert refusal == texts.admin_refusal(USER_ID)
    assert "владельца бота" in refusal and f"ваш id: {USER_ID}" in refusal
    assert await harness.app.store.list_editors() == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (f"/editors add {ADMIN_ID}", "владелец"),
        ("/editors add", "Добавить:"),
        ("/editors add abc", "Добавить:"),
        ("/editors add " + "9" * 40, "Добавить:"),
        ("/editors remove 31337", "не был редактором"),
        ("/editors promote 1", "Добавить:"),
    ],
)
async def test_editor_changes_that_change_nothing(harness, command, expected):
    assert expected in await harness.ask(command, user_id=ADMIN_ID)
    assert await harness.app.store.list_editors() == []
    assert not [a for a in await harness.app.store.recent_audit(5) if a[2].startswith("editor")]


async def test_an_editor_is_not_flood_limited(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, flood_limit=2)
    try:
        await add_editor(h)
        replies = [await h.ask("/articles", user_id=EDITOR_ID) for _ in range(4)]
        assert all("всего 5" in r for r in replies)
    finally:
        await stop_inprocess(h)
    assert not fake_api.errors
