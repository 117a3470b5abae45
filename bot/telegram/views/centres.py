"""The directory of centres as messages: an answer about where a centre is, and the admin's
replies to a /centres file, its confirmation and the counts by region.

Every value of a row is the admin's text: escaped, links built only from a validated
http(s) site or the row's own coordinates. A map link is Yandex Maps with a placemark
(`pt` is longitude,latitude; `z` 1–19; `l=map` the scheme), or a search for the row's
address when it has no coordinates.
"""

from __future__ import annotations

from urllib.parse import quote_plus, urlsplit

from aiogram.types import InlineKeyboardButton

from bot.domain.centre_table import CentreTable
from bot.domain.centres import (
    CentresAnswer,
    ConfirmOutcome,
    RegionChange,
    RegionCount,
    UploadOutcome,
)
from bot.store.base import CentreRow, DocRef
from bot.telegram.callbacks import SaveCentres
from bot.telegram.formatting import esc, esc_attr
from bot.telegram.views import texts
from bot.telegram.views.common import Reply, open_button, url_button

MAP_ZOOM = 16
LISTED_ERRORS = 40  # bad rows told in full; the numbers of the rest follow on one line
LISTED_NUMBERS = 300


def plural(n: int, one: str, few: str, many: str) -> str:
    """«1 строка», «3 строки», «5 строк»."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def rows_word(n: int) -> str:
    return f"{n} {plural(n, 'строка', 'строки', 'строк')}"


def map_url(row: CentreRow) -> str:
    """A placemark at the row's coordinates, or a search for its address."""
    if row.lat is not None and row.lon is not None:
        return f"https://yandex.ru/maps/?pt={row.lon:.6f},{row.lat:.6f}&z={MAP_ZOOM}&l=map"
    return "https://yandex.ru/maps/?text=" + quote_plus(f"{row.city}, {row.address}")


def distance_text(km: float) -> str:
    if km < 1:
        return f"≈ {max(10, round(km * 1000, -1)):.0f} м"
    if km < 10:
        return f"≈ {km:.1f} км".replace(".", ",")
    return f"≈ {km:.0f} км"


def _label(answer: CentresAnswer) -> str:
    kinds = {r.kind for r in answer.centres}
    return kinds.pop() if len(kinds) == 1 else "Центры помощи семьям"


def _centre_lines(number: int, row: CentreRow, mixed: bool, km: float | None) -> list[str]:
    lines = [f"<b>{number}. {esc(row.name)}</b>"]
    if mixed:
        lines.append(f"<i>{esc(row.kind)}</i>")
    place = row.address
    if row.city.lower() not in row.address.lower():
        place = f"{row.city}, {row.address}"
    lines.append(f"📍 {esc(place)}")
    if row.phones:
        lines.append(f"☎️ {esc(row.phones)}")
    if row.hours:
        lines.append(f"🕘 {esc(row.hours)}")
    if row.site:
        host = urlsplit(row.site).hostname or row.site
        lines.append(f'🌐 <a href="{esc_attr(row.site)}">{esc(host)}</a>')
    found = "На карте" if row.lat is not None else "Найти на карте"
    where = f'🗺 <a href="{esc_attr(map_url(row))}">{found}</a>'
    if km is not None:
        where += f" · {distance_text(km)}"
    lines.append(where)
    return lines


def _place(answer: CentresAnswer) -> str:
    if answer.in_city and answer.city:
        return answer.city
    return answer.region or ""


def render_centres(answer: CentresAnswer) -> Reply:
    """Centres found (best or nearest first), or the honest «нет в справочнике» with where
    to ask instead."""
    if not answer.centres:
        return _render_none(answer)
    label = _label(answer)
    lines = []
    if answer.city and not answer.in_city and not answer.near:
        lines.append(f"В городе {esc(answer.city)} в справочнике нет — вот весь регион.")
    if answer.near:
        lines.append(f"<b>Ближайшие к вам — {esc(label)}</b>")
    else:
        lines.append(f"<b>{esc(label)} — {esc(_place(answer))}</b>")
    if answer.region_from_chat:
        lines.append(f"Ваш регион: {esc(answer.region)} ({texts.CENTRES_CHANGE_REGION})")
    mixed = label not in {r.kind for r in answer.centres}
    for i, row in enumerate(answer.centres):
        km = answer.distances[i] if i < len(answer.distances) else None
        lines.append("")
        lines += _centre_lines(i + 1, row, mixed, km)
    if answer.total > len(answer.centres):
        lines.append(
            f"\nПоказаны {len(answer.centres)} из {answer.total}. Чтобы сузить, напишите "
            "город: «где семейный мфц в …»."
        )
    lines.append(f"\n<i>{texts.CENTRES_SOURCE}</i>")
    return Reply("\n".join(lines), kind="centres")


def _render_none(answer: CentresAnswer) -> Reply:
    lines = []
    what = "таких центров" if answer.asked else "центров помощи семьям"
    if answer.near:
        lines.append(f"Рядом с вами в справочнике бота нет {what} с координатами.")
    elif answer.region is None:
        lines.append("Не знаю, в каком вы регионе, — а искать центр нужно там.")
        lines.append(texts.CENTRES_ASK_REGION)
    else:
        where = answer.region if not answer.city else f"{answer.city}, {answer.region}"
        lines.append(f"В справочнике бота пока нет адресов {what} — {esc(where)}.")
        if answer.region_from_chat:
            lines.append(f"Это ваш регион ({texts.CENTRES_CHANGE_REGION}).")
        if answer.other_kinds:
            kinds = ", ".join(f"{esc(k)} — {n}" for k, n in answer.other_kinds[:6])
            lines.append(f"Для этого региона в справочнике есть: {kinds}.")
    lines.append("")
    lines.append(texts.CENTRES_NOT_INVENTED)
    lines.append(texts.CENTRES_ROUTES)
    buttons = [
        [open_button("Семейный МФЦ", DocRef.card("mfc"))],
        [url_button(texts.BUTTON_GOSUSLUGI, texts.GOSUSLUGI_URL)],
    ]
    return Reply("\n".join(lines), buttons, kind="centres")


# ---- admins ---------------------------------------------------------------------------------
def _change_line(change: RegionChange) -> str:
    was = f"было {change.before}" if change.before else "новый регион"
    return f"• {esc(change.region)} — {change.after} ({was})"


def render_upload(outcome: UploadOutcome) -> Reply:
    name = esc(outcome.filename)
    if outcome.error is not None:
        return Reply(f"Справочник «{name}» не загружен: {esc(outcome.error)}")
    table = outcome.table
    assert table is not None
    if outcome.saved:
        lines = [f"Справочник «{name}» сохранён: {rows_word(len(table.rows))}."]
        lines += [_change_line(c) for c in outcome.saved]
        lines.append("Прежние строки этих регионов заменены, другие регионы не менялись. /centres")
        return Reply("\n".join(lines))
    return _render_bad(name, table, outcome.pending_id)


def _render_bad(name: str, table: CentreTable, pending_id: int | None) -> Reply:
    lines = [
        f"Справочник «{name}»: {rows_word(table.total)} с данными, с ошибками — "
        f"{len(table.bad)}. {texts.CENTRES_NOTHING_STORED}",
        "",
    ]
    for bad in table.bad[:LISTED_ERRORS]:
        lines.append(f"• строка {bad.number}: {esc('; '.join(bad.reasons))}")
    rest = table.bad[LISTED_ERRORS:]
    if rest:
        numbers = ", ".join(str(b.number) for b in rest[:LISTED_NUMBERS])
        more = "…" if len(rest) > LISTED_NUMBERS else ""
        lines.append(f"• ещё {rows_word(len(rest))} с ошибками: {numbers}{more}")
    lines.append("")
    lines.append(texts.CENTRES_FIX_AND_RESEND)
    if pending_id is None:
        return Reply("\n".join(lines))
    regions = ", ".join(f"{esc(r)} — {n}" for r, n in table.regions().items())
    lines.append(
        f"Или сохраните только верные строки ({len(table.rows)}): их регионы ({regions}) "
        "заменятся целиком."
    )
    good = len(table.rows)
    button = InlineKeyboardButton(
        text=f"Сохранить {good} {plural(good, 'верную строку', 'верные строки', 'верных строк')}",
        callback_data=SaveCentres(upload_id=pending_id).pack(),
    )
    return Reply("\n".join(lines), [[button]])


def render_confirm(outcome: ConfirmOutcome) -> Reply:
    if outcome.status == "gone":
        return Reply(texts.CENTRES_CONFIRM_GONE)
    if outcome.status == "stale":
        return Reply(texts.CENTRES_CONFIRM_STALE)
    total = sum(c.after for c in outcome.saved)
    lines = [f"Сохранил верные строки: {total}."]
    lines += [_change_line(c) for c in outcome.saved]
    lines.append("Прежние строки этих регионов заменены, другие регионы не менялись. /centres")
    return Reply("\n".join(lines))


def render_overview(counts: list[RegionCount]) -> Reply:
    if not counts:
        return Reply(texts.CENTRES_EMPTY)
    total = sum(c.total for c in counts)
    regions = len(counts)
    lines = [
        f"<b>Справочник центров</b>: {total} — "
        f"{regions} {plural(regions, 'регион', 'региона', 'регионов')}",
    ]
    for c in counts:
        kinds = ", ".join(f"{esc(k)} — {n}" for k, n in c.kinds)
        lines.append(f"• {esc(c.region)} — {c.total} ({kinds})")
    lines.append("")
    lines.append(texts.CENTRES_HOW_TO)
    return Reply("\n".join(lines))
