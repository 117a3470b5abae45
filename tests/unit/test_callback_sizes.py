"""The rating and queue buttons fit Telegram's 64 bytes of callback data at their largest."""

from __future__ import annotations

from bot.telegram.callbacks import (
    MAX_ID,
    REF_MAX,
    HumanRequest,
    Rate,
    RateReason,
    ReviewAct,
    ReviewLink,
    ReviewPage,
)


def test_largest_callback_data_fits_64_bytes():
    largest = [
        (Rate(answer_id=MAX_ID, up=False), 23),
        (RateReason(answer_id=MAX_ID, reason="unclear"), 28),
        (HumanRequest(), 5),
        (ReviewPage(offset=10_000), 9),
        (ReviewAct(act="l", source="q", row=MAX_ID), 24),
        (ReviewLink(source="a", row=MAX_ID, kind="c", ref="x" * REF_MAX), 49),
    ]
    for data, size in largest:
        packed = data.pack()
        assert len(packed.encode()) == size <= 64, packed
        assert type(data).unpack(packed) == data
