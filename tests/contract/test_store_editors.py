"""Editors: who may do what admins do, except manage editors."""

from __future__ import annotations

import datetime as dt

from bot.store.base import EditorRow


async def test_add_remove_and_list_editors(store):
    assert await store.list_editors() == []
    assert await store.add_editor(30, 777) is True
    assert await store.add_editor(20, 778) is True
    assert await store.add_editor(30, 778) is False  # already; who added stays
    assert await store.is_editor(30) is True
    assert await store.is_editor(40) is False
    editors = await store.list_editors()
    assert all(type(e) is EditorRow for e in editors)
    assert sorted((e.user_id, e.added_by) for e in editors) == [(20, 778), (30, 777)]
    for e in editors:
        assert isinstance(e.added_at, str)  # the view shows added_at[:10]
        assert dt.date.fromisoformat(e.added_at[:10]) >= dt.date.today() - dt.timedelta(days=1)
    assert await store.remove_editor(30) is True
    assert await store.remove_editor(30) is False
    assert await store.is_editor(30) is False
    assert [e.user_id for e in await store.list_editors()] == [20]
