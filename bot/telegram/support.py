"""Relaying a hand-off between a person's chat and the specialists' supergroup.

With forum topics on, each conversation gets its own topic («Обращение №N») and whatever a
specialist writes there reaches the person; without topics, each relayed message carries
the conversation's number and a specialist answers by replying to it. Messages are copied
(`copyMessage`), never forwarded, so the specialists see neither the person's name nor
account unless the person chooses to share them.

What other bots got wrong, and how it is handled here:
- a topic deleted in the client («message thread not found») — a new topic is opened and
  the message sent there;
- two first messages at once — the conversation's lock is held while its topic is created,
  so there is one topic, not two;
- Telegram limits how fast topics are created — creations wait their turn on one lock (and
  429s are retried by the session), the person's message is never dropped;
- specialists get no alert — every conversation starts with a new message in the group.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import ForumTopic, Message

from bot.domain.handoff import HandoffDesk
from bot.store.base import HandoffRow
from bot.telegram.formatting import esc, split_message
from bot.telegram.views import handoff as views
from bot.telegram.views import texts

log = logging.getLogger(__name__)

# Telegram's answers meaning «this chat has no topics» and «that topic is gone or closed».
_NOT_A_FORUM = ("not a forum", "chat_not_forum", "forum_disabled")
# What a specialist may send the person; service messages (a topic closed in the client…)
# cannot be copied and are not meant for them.
RELAYABLE = frozenset(
    {
        ContentType.TEXT,
        ContentType.PHOTO,
        ContentType.DOCUMENT,
        ContentType.VOICE,
        ContentType.AUDIO,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.ANIMATION,
        ContentType.STICKER,
        ContentType.LOCATION,
        ContentType.CONTACT,
    }
)
MAX_TOPIC_WAIT = 600.0  # seconds a new conversation may wait for Telegram's topic limit
_TOPIC_GONE = ("thread not found", "topic_deleted", "topic_closed", "topic_id_invalid")


def _says(exc: TelegramBadRequest, markers: tuple[str, ...]) -> bool:
    text = exc.message.lower()
    return any(m in text for m in markers)


class SupportRelay:
    def __init__(self, desk: HandoffDesk, support_chat_id: int) -> None:
        self.desk = desk
        self.chat_id = support_chat_id
        self.topics: bool | None = None  # learned from the first createForumTopic
        self._creating = asyncio.Lock()  # one topic creation at a time

    # ---- the specialists' side of a conversation --------------------------------------
    async def _create_topic(self, bot: Bot, name: str) -> ForumTopic:
        """Create a topic, waiting out Telegram's limit however long it asks (the session
        already retried a few times): the person's message waits in this handler's task,
        other conversations queue behind the lock, nothing is dropped."""
        waited = 0.0
        while True:
            try:
                return await bot.create_forum_topic(self.chat_id, name)
            except TelegramRetryAfter as exc:
                if waited >= MAX_TOPIC_WAIT:
                    raise
                log.warning("topic creation limited: waiting %s s", exc.retry_after)
                await asyncio.sleep(exc.retry_after)
                waited += exc.retry_after

    async def _new_topic(self, bot: Bot, handoff: HandoffRow) -> int | None:
        """Open a topic for the conversation (and say how to answer in it); None when the
        support chat has no topics."""
        if self.topics is False:
            return None
        async with self._creating:
            try:
                topic = await self._create_topic(bot, views.number(handoff))
            except TelegramBadRequest as exc:
                if not _says(exc, _NOT_A_FORUM):
                    raise
                log.info("support chat %s has no topics: specialists answer by reply", self.chat_id)
                self.topics = False
                return None
        self.topics = True
        thread = topic.message_thread_id
        await self.desk.set_topic(handoff, thread)
        intro = views.support_intro(handoff, topics=True)
        sent = await bot.send_message(
            self.chat_id, intro.text, message_thread_id=thread, reply_markup=intro.markup
        )
        await self.desk.relayed(handoff, sent.message_id)
        return thread

    async def start(self, bot: Bot, handoff: HandoffRow) -> None:
        """A new conversation: its topic (or, without topics, its first message) appears in
        the support chat at once, so the specialists are alerted before anyone writes."""
        async with self.desk.lock(handoff.id):
            fresh = await self.desk.get(handoff.id) or handoff
            if fresh.thread_id is not None:  # a message got here first and opened it
                return
            thread = await self._new_topic(bot, fresh)
            if thread is None:
                intro = views.support_intro(handoff, topics=False)
                sent = await bot.send_message(self.chat_id, intro.text, reply_markup=intro.markup)
                await self.desk.relayed(handoff, sent.message_id)

    async def _thread(self, bot: Bot, handoff: HandoffRow) -> int | None:
        async with self.desk.lock(handoff.id):
            fresh = await self.desk.get(handoff.id) or handoff
            if fresh.thread_id is not None or self.topics is False:
                return fresh.thread_id
            return await self._new_topic(bot, fresh)

    async def to_specialists(
        self, bot: Bot, message: Message, handoff: HandoffRow, crisis: bool
    ) -> None:
        """Relay what the person wrote (text, photo, file, voice…) to their conversation."""
        thread = await self._thread(bot, handoff)
        try:
            await self._relay(bot, message, handoff, thread, crisis)
        except TelegramBadRequest as exc:
            if thread is None or not _says(exc, _TOPIC_GONE):
                raise
            async with self.desk.lock(handoff.id):
                fresh = await self.desk.get(handoff.id) or handoff
                if fresh.thread_id == thread:  # nobody replaced it meanwhile: we do
                    log.info("topic of handoff %s is gone: opening a new one", handoff.id)
                    thread = await self._new_topic(bot, fresh)
                else:
                    thread = fresh.thread_id
            await self._relay(bot, message, handoff, thread, crisis)

    async def _relay(
        self, bot: Bot, message: Message, handoff: HandoffRow, thread: int | None, crisis: bool
    ) -> None:
        if crisis:
            await bot.send_message(self.chat_id, texts.SUPPORT_CRISIS, message_thread_id=thread)
        if thread is None and message.text is not None:
            # Without topics a text goes as our own message, headed with the conversation's
            # number, so specialists know whose it is and can reply to it.
            header = views.support_header(handoff)
            for part in split_message(f"{header}\n{esc(message.text)}"):
                sent = await bot.send_message(self.chat_id, part)
                await self.desk.relayed(handoff, sent.message_id)
            return
        caption = None
        if thread is None and message.text is None:
            original = esc(message.caption) if message.caption else ""
            caption = f"{views.support_header(handoff)}\n{original}".strip()[:1024]
        copied = await bot.copy_message(
            self.chat_id,
            message.chat.id,
            message.message_id,
            message_thread_id=thread,
            caption=caption,
        )
        await self.desk.relayed(handoff, copied.message_id)

    async def note(self, bot: Bot, handoff: HandoffRow, text: str) -> None:
        """A line for the specialists in the conversation's topic (or the chat)."""
        try:
            await bot.send_message(self.chat_id, text, message_thread_id=handoff.thread_id)
        except TelegramBadRequest as exc:
            if handoff.thread_id is None or not _says(exc, _TOPIC_GONE):
                raise
            await bot.send_message(self.chat_id, text)

    async def close_topic(self, bot: Bot, handoff: HandoffRow) -> None:
        if handoff.thread_id is None:
            return
        try:
            await bot.close_forum_topic(self.chat_id, handoff.thread_id)
        except TelegramBadRequest as exc:  # already closed or deleted: nothing to close
            log.info("topic of handoff %s not closed: %s", handoff.id, exc.message)

    # ---- the person's side -------------------------------------------------------------
    async def find(self, message: Message) -> HandoffRow | None:
        """The conversation a specialist's message belongs to: its topic, else the relayed
        message it replies to."""
        if message.is_topic_message and message.message_thread_id is not None:
            found = await self.desk.by_thread(message.message_thread_id)
            if found is not None:
                return found
        reply = message.reply_to_message
        if reply is not None and not (
            reply.forum_topic_created is not None and message.is_topic_message
        ):
            return await self.desk.by_relayed_message(reply.message_id)
        return None

    async def to_person(self, bot: Bot, message: Message, handoff: HandoffRow) -> None:
        """A specialist's answer reaches the person as a message from the bot; when the
        person has blocked the bot, the specialists are told so in the conversation."""
        if message.content_type not in RELAYABLE:
            return  # a topic closed or renamed in the client, a pin: not for the person
        try:
            await bot.copy_message(handoff.chat_id, self.chat_id, message.message_id)
        except TelegramForbiddenError:
            await self.note(bot, handoff, texts.SUPPORT_PERSON_GONE)
            return
        await self.desk.answered(handoff)
