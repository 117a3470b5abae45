"""The directory of centres: reading a table and checking its rows (bot.domain.centre_table),
matching a kind and measuring a distance (bot.domain.centres) — pure functions."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.articles.errors import DocumentError, DocumentTooLarge
from bot.domain.centre_table import COLUMNS, MAX_ROWS, check_row, read_centres_table
from bot.domain.centres import distance_km, kind_terms, match_score
from bot.store.base import CentreRow

HEADER = ",".join(COLUMNS)


def row(**values: str) -> dict[str, str]:
    base = dict.fromkeys(COLUMNS, "")
    base.update(
        name="Центр «Тест»",
        kind="Семейный МФЦ",
        region="Свердловская область",
        city="Екатеринбург",
        address="ул. Тестовая, 1",
    )
    base.update(values)
    return base


def reasons(**values: str) -> str:
    centre, why = check_row(row(**values))
    assert centre is None
    return "; ".join(why)


def test_a_good_row_is_normalised():
    centre, why = check_row(
        row(region="свердловской обл.", city="г. Екатеринбург", lat="56,8389", lon="60.6057")
    )
    assert not why and centre is not None
    assert (centre.region, centre.city, centre.lat, centre.lon) == (
        "Свердловская область",
        "Екатеринбург",
        56.8389,
        60.6057,
    )


def test_a_town_the_places_table_does_not_list_is_taken_as_written():
    centre, why = check_row(row(city="Ирбит"))
    assert not why and centre is not None and centre.city == "Ирбит"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": "", "address": ""}, "не заполнено: name, address"),
        ({"region": "Свердловск"}, "регион «Свердловск» не найден"),
        ({"region": "Екатеринбург"}, "город «Екатеринбург» — нужен регион: Свердловская область"),
        ({"city": "Тюмень"}, "город Тюмень — в регионе «Тюменская область»"),
        ({"city": "Свердловская область"}, "в колонке city регион"),
        ({"lat": "56.8"}, "нужны обе координаты"),
        ({"lat": "север", "lon": "60"}, "lat «север» — не число"),
        ({"lat": "95", "lon": "60"}, "lat 95 — вне диапазона"),
        ({"site": "example.org"}, "нужен адрес сайта с http:// или https://"),
        ({"site": "javascript:alert(1)"}, "нужен адрес сайта"),
        ({"phones": "звоните нам"}, "не похоже на номер телефона"),
        ({"phones": "+7 (343) 000-00-01, 12"}, "phones «12»"),
        ({"hours": "x" * 300}, "hours длиннее 200 знаков"),
    ],
)
def test_every_bad_value_is_told(values, expected):
    assert expected in reasons(**values)


def test_several_problems_of_one_row_are_all_told():
    why = reasons(address="", site="ftp://example.org", lat="1")
    assert "address" in why and "site" in why and "координаты" in why


def test_phones_and_sites_that_pass():
    centre, why = check_row(
        row(phones="8 (343) 000-00-01 доб. 12; 2-34-56", site="http://example.org/a?b=1")
    )
    assert not why and centre is not None


def test_the_file_lists_every_bad_row_by_its_number():
    text = "\n".join(
        [
            HEADER,
            "А,опека,Свердловская область,Екатеринбург,ул. А,,,,,",
            "",
            "Б,опека,Свердловская область,Екатеринбург,,,,,,",
            "А,опека,Свердловская область,Екатеринбург,ул. А,,,,,",
        ]
    )
    table = read_centres_table(text.encode(), "c.csv")
    assert [r.name for r in table.rows] == ["А"]
    assert [(b.number, b.reasons) for b in table.bad] == [
        (4, ("не заполнено: address",)),
        (5, ("повторяет строку 2 (то же название и адрес)",)),
    ]


def test_columns_may_come_in_any_order_but_must_all_be_there():
    shuffled = ",".join(reversed(COLUMNS))
    line = ",,,,,ул. А,Екатеринбург,Свердловская область,опека,А"
    assert read_centres_table(f"{shuffled}\n{line}\n".encode(), "c.csv").rows
    with pytest.raises(DocumentError, match="нет колонок: lat, lon"):
        read_centres_table(b"name,kind,region,city,address,phones,hours,site\n", "c.csv")
    with pytest.raises(DocumentError, match="лишние: email"):
        read_centres_table(f"{HEADER},email\n".encode(), "c.csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "koi8_r", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_any_encoding_and_separator(encoding, delimiter):
    lines = [
        COLUMNS,
        ("Семейный МФЦ Радуга", "Семейный МФЦ", "Тюменская область", "Тюмень",
         "ул. Республики 1", "", "", "", "", ""),
    ]
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    table = read_centres_table(text.encode(encoding), "c.csv")
    assert [(r.name, r.address) for r in table.rows] == [
        ("Семейный МФЦ Радуга", "ул. Республики 1")
    ]


def test_too_many_rows_are_refused_whole():
    line = "А{},опека,Свердловская область,Екатеринбург,ул. А,,,,,"
    text = "\n".join([HEADER, *(line.format(i) for i in range(MAX_ROWS + 1))])
    with pytest.raises(DocumentTooLarge, match="больше 5000 строк"):
        read_centres_table(text.encode(), "c.csv")


def test_an_xlsx_bomb_is_refused_before_openpyxl_opens_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(DocumentTooLarge, match=".xlsx"):
        read_centres_table(buffer.getvalue(), "c.xlsx")


def test_an_xlsx_with_a_dtd_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b'<!DOCTYPE x [<!ENTITY a "a">]><x/>')
    with pytest.raises(DocumentTooLarge, match="DTD"):
        read_centres_table(buffer.getvalue(), "c.xlsx")


def centre(kind: str, name: str = "Центр") -> CentreRow:
    return CentreRow(name, kind, "Свердловская область", "Екатеринбург", "ул. А")


@pytest.mark.parametrize(
    ("asked", "kind", "answers"),
    [
        ("семейный мфц", "Семейный МФЦ", True),
        ("семейных мфц", "Семейный многофункциональный центр", True),
        ("мфц", "Семейный МФЦ", True),
        ("семейный мфц", "центр помощи семье", False),
        ("кцсон", "Комплексный центр социального обслуживания населения", True),
        ("кцсон", "Семейный МФЦ", False),
        ("опека", "Отдел опеки и попечительства", True),
        ("центр помощи семье", "Семейный МФЦ", True),
        ("", "опека", True),
    ],
)
def test_a_kind_matches_its_spellings_and_not_other_kinds(asked, kind, answers):
    assert bool(match_score(centre(kind), kind_terms(asked))) is answers


def test_the_closer_kind_ranks_higher():
    asked = kind_terms("центр помощи семье")
    assert match_score(centre("центр помощи семье"), asked) > match_score(
        centre("Семейный МФЦ"), asked
    )


def test_haversine_distance():
    # Екатеринбург — Тюмень: about 300 km as the crow flies.
    assert 290 < distance_km(56.8389, 60.6057, 57.1530, 65.5343) < 310
    assert distance_km(56.0, 60.0, 56.0, 60.0) == 0.0


def test_the_save_button_fits_64_bytes():
    from bot.telegram.callbacks import MAX_ID, SaveCentres

    packed = SaveCentres(upload_id=MAX_ID).pack()
    assert len(packed.encode()) == 20 and SaveCentres.unpack(packed).upload_id == MAX_ID
