"""Who may do what: owners (ADMIN_IDS) and editors (kept in the store, managed by owners).

Editors upload, list and delete articles, work the queue (/review) and read /stats; only
owners add and remove editors. Owners come from the settings, so a broken or lost database
never locks them out; editors come from the store, asked on every admin command or button,
so a change takes effect at once in every process. Each change is in the audit log.

`staff` is what flood control exempts (an editor uploading a batch is working, not
flooding); it is checked on every message, so it reads a set kept here — filled at start
and on every change or role check — rather than the store.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import Literal

from bot.store import Store
from bot.store.base import EditorRow, as_id

Role = Literal["owner", "editor"]
EditorChange = Literal["added", "removed", "already", "absent", "owner", "invalid"]


@dataclass(frozen=True)
class Team:
    owners: list[int]
    editors: list[EditorRow]


class _Staff(Container[int]):
    """Owners and the editors this process knows of (for flood control)."""

    def __init__(self, owners: frozenset[int]) -> None:
        self.owners = owners
        self.editors: set[int] = set()

    def __contains__(self, user_id: object) -> bool:
        return user_id in self.owners or user_id in self.editors


def parse_user_id(text: str | None) -> int | None:
    """A Telegram user id typed after /editors add|remove: ASCII digits, positive."""
    user_id = as_id((text or "").strip())
    return user_id if user_id else None


class Roles:
    def __init__(self, store: Store, owners: Iterable[int]) -> None:
        self.store = store
        self.owners = frozenset(owners)
        self.staff = _Staff(self.owners)

    async def load(self) -> None:
        self.staff.editors = {e.user_id for e in await self.store.list_editors()}

    def is_owner(self, user_id: int) -> bool:
        return user_id in self.owners

    async def role(self, user_id: int) -> Role | None:
        if user_id in self.owners:
            return "owner"
        if await self.store.is_editor(user_id):
            self.staff.editors.add(user_id)
            return "editor"
        self.staff.editors.discard(user_id)
        return None

    async def team(self) -> Team:
        return Team(sorted(self.owners), await self.store.list_editors())

    async def add_editor(self, owner_id: int, user_id: int | None) -> EditorChange:
        if user_id is None:
            return "invalid"
        if user_id in self.owners:
            return "owner"
        if not await self.store.add_editor(user_id, owner_id):
            return "already"
        self.staff.editors.add(user_id)
        await self.store.audit(owner_id, "editor_add", f"#{user_id}")
        return "added"

    async def remove_editor(self, owner_id: int, user_id: int | None) -> EditorChange:
        if user_id is None:
            return "invalid"
        if user_id in self.owners:
            return "owner"
        if not await self.store.remove_editor(user_id):
            return "absent"
        self.staff.editors.discard(user_id)
        await self.store.audit(owner_id, "editor_remove", f"#{user_id}")
        return "removed"
