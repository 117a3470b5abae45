"""A deterministic corpus of realistic Russian articles, built from the seeds.

Each article is the text of an upload (a .txt file as an admin would send it): a title
line, a lead sentence naming an event with a date in one of the formats the seeds use
(«16 октября 2024 года», «с 23 по 25 октября», 18/06/2024), then paragraphs recombined
from the seeds' sentences with their places, years and names substituted. Article `i` of
seed `s` depends only on (s, i), so the 1k corpus is the first thousand of the 100k one.

Queries for the search benchmark are generated from the same vocabulary (`queries()`):
short keyword queries, natural questions, typos, wrong keyboard layout, long rambling
messages and out-of-scope questions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

# (nominative, genitive, prepositional) — «Тюмень», «из Тюмени», «в Тюмени».
CITIES = [
    ("Тюмень", "Тюмени", "Тюмени"), ("Казань", "Казани", "Казани"),
    ("Самара", "Самары", "Самаре"), ("Пермь", "Перми", "Перми"),
    ("Новосибирск", "Новосибирска", "Новосибирске"), ("Омск", "Омска", "Омске"),
    ("Екатеринбург", "Екатеринбурга", "Екатеринбурге"), ("Уфа", "Уфы", "Уфе"),
    ("Челябинск", "Челябинска", "Челябинске"), ("Красноярск", "Красноярска", "Красноярске"),
    ("Воронеж", "Воронежа", "Воронеже"), ("Саратов", "Саратова", "Саратове"),
    ("Иркутск", "Иркутска", "Иркутске"), ("Хабаровск", "Хабаровска", "Хабаровске"),
    ("Оренбург", "Оренбурга", "Оренбурге"), ("Пенза", "Пензы", "Пензе"),
    ("Тула", "Тулы", "Туле"), ("Калининград", "Калининграда", "Калининграде"),
    ("Мурманск", "Мурманска", "Мурманске"), ("Архангельск", "Архангельска", "Архангельске"),
    ("Ярославль", "Ярославля", "Ярославле"), ("Владимир", "Владимира", "Владимире"),
    ("Кострома", "Костромы", "Костроме"), ("Смоленск", "Смоленска", "Смоленске"),
    ("Томск", "Томска", "Томске"), ("Барнаул", "Барнаула", "Барнауле"),
    ("Ставрополь", "Ставрополя", "Ставрополе"), ("Краснодар", "Краснодара", "Краснодаре"),
    ("Белгород", "Белгорода", "Белгороде"), ("Курск", "Курска", "Курске"),
    ("Липецк", "Липецка", "Липецке"), ("Тамбов", "Тамбова", "Тамбове"),
    ("Великий Новгород", "Великого Новгорода", "Великом Новгороде"),
    ("Нижний Новгород", "Нижнего Новгорода", "Нижнем Новгороде"),
    ("Ростов-на-Дону", "Ростова-на-Дону", "Ростове-на-Дону"),
    ("Набережные Челны", "Набережных Челнов", "Набережных Челнах"),
    ("Вологда", "Вологды", "Вологде"), ("Киров", "Кирова", "Кирове"),
    ("Петрозаводск", "Петрозаводска", "Петрозаводске"), ("Псков", "Пскова", "Пскове"),
]
REGIONS = [
    ("Тюменская область", "Тюменской области", "Тюменской области"),
    ("Мурманская область", "Мурманской области", "Мурманской области"),
    ("Новгородская область", "Новгородской области", "Новгородской области"),
    ("Белгородская область", "Белгородской области", "Белгородской области"),
    ("Ульяновская область", "Ульяновской области", "Ульяновской области"),
    ("Самарская область", "Самарской области", "Самарской области"),
    ("Иркутская область", "Иркутской области", "Иркутской области"),
    ("Челябинская область", "Челябинской области", "Челябинской области"),
    ("Свердловская область", "Свердловской области", "Свердловской области"),
    ("Ленинградская область", "Ленинградской области", "Ленинградской области"),
    ("Московская область", "Московской области", "Московской области"),
    ("Оренбургская область", "Оренбургской области", "Оренбургской области"),
    ("Алтайский край", "Алтайского края", "Алтайском крае"),
    ("Пермский край", "Пермского края", "Пермском крае"),
    ("Красноярский край", "Красноярского края", "Красноярском крае"),
    ("Краснодарский край", "Краснодарского края", "Краснодарском крае"),
    ("Хабаровский край", "Хабаровского края", "Хабаровском крае"),
    ("Республика Карелия", "Республики Карелия", "Республике Карелия"),
    ("Республика Татарстан", "Республики Татарстан", "Республике Татарстан"),
    ("Республика Башкортостан", "Республики Башкортостан", "Республике Башкортостан"),
    ("Ханты-Мансийский автономный округ", "Ханты-Мансийского автономного округа",
     "Ханты-Мансийском автономном округе"),
]
# Places named in the seeds, by case, so seed sentences can be moved elsewhere.
SEED_PLACES = {
    "Тюмени": 2, "Тюмень": 0, "Великом Новгороде": 2, "Великого Новгорода": 1,
    "Калининграда": 1, "Новосибирска": 1, "Пензы": 1, "Тулы": 1,
}
SEED_REGIONS = {
    "Мурманской области": 1, "Новгородской области": 1, "Белгородской области": 1,
    "Ульяновской области": 1, "Тюменской области": 1, "Республики Карелия": 1,
    "Алтайского края": 1,
}
MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря"]

# kind: (nominative, genitive, accusative, adjective phrase for titles)
KINDS = {
    "стажировка": ("стажировочная площадка", "стажировочной площадки", "стажировочную площадку"),
    "форум": ("форум", "форума", "форум"),
    "вебинар": ("вебинар", "вебинара", "вебинар"),
    "конкурс": ("конкурс", "конкурса", "конкурс"),
    "конференция": ("конференция", "конференции", "конференцию"),
    "семинар": ("семинар", "семинара", "семинар"),
}
KIND_WEIGHTS = {"стажировка": 3, "форум": 3, "вебинар": 2, "конкурс": 3, "конференция": 1,
                "семинар": 1}
SCOPE = ("адресный", "Всероссийский", "межрегиональный", "областной", "региональный",
         "городской")
TOPICS = [
    "профилактики социального сиротства", "поддержки семей с детьми",
    "семейного устройства детей-сирот", "сопровождения замещающих семей",
    "работы с подростками группы риска", "раннего вмешательства",
    "помощи семьям в трудной жизненной ситуации", "развития Семейных МФЦ",
    "защиты прав детей", "профилактики жестокого обращения с детьми",
    "поддержки семей участников СВО", "реабилитации детей с инвалидностью",
    "работы детского телефона доверия", "психологической помощи родителям",
    "профессионального мастерства в сфере социального обслуживания",
]
AUDIENCES = [
    "специалистов органов опеки", "специалистов ведомств системы профилактики",
    "психологов и социальных педагогов", "руководителей социальных учреждений",
    "специалистов Семейных МФЦ", "сотрудников центров помощи детям",
    "представителей НКО", "специалистов социальной сферы",
]
ORGS = [
    "Фонд поддержки детей, находящихся в трудной жизненной ситуации",
    "Центр развития социальных проектов", "Министерство труда и социальной защиты",
    "Уполномоченный по правам ребенка", "региональный ресурсный центр",
    "АНО «Центр развития социальных проектов»",
]
PROJECT_WORDS = ["Профи", "Семья", "Вместе", "Шаг навстречу", "Дети в семье", "Надежный тыл",
                 "Открытые сердца", "Растим вместе", "Точка опоры", "Родные люди"]
SYLLABLES = ["ва", "ро", "ли", "ко", "ше", "на", "ми", "дра", "то", "за", "ле", "бу",
             "сто", "гу", "ни", "пе", "ка", "рю", "жа", "ду", "тве", "ла", "мо", "си"]
FIRST_NAMES = ["Анна", "Елена", "Ольга", "Ирина", "Марина", "Наталья", "Сергей", "Андрей",
               "Алексей", "Дмитрий", "Татьяна", "Светлана"]
TITLE_TEMPLATES = [
    "{Kind} {topic_short} прошла в {city_prep}",
    "В {city_prep} пройдет {kind_nom} по вопросам {topic}",
    "{Kind} для {audience} откроется в {city_prep}",
    "Итоги конкурса {project}: победители из {region_gen}",
    "Вопросы {topic} обсуждают в {city_prep}",
    "{Scope} {kind_nom} «{project}» состоится в {city_prep}",
    "Специалисты из {region_gen} приняли участие в {kind_prep}",
    "Семейный МФЦ открылся в {city_prep}",
    "Детский телефон доверия: итоги года в {region_prep}",
]
LEAD_TEMPLATES = [
    "{date} в {city_prep} {verb} {kind_nom} для {audience} по вопросам {topic}.",
    "{date} состоится {scope} {kind_nom} «{project}» для {audience}.",
    "{Org} проводит {kind_acc} {date} в {city_prep}.",
    "{date} в {city_prep} прошел {scope} {kind_nom}, в котором приняли участие "
    "специалисты из {region_gen}.",
    "Прием заявок на {kind_acc} «{project}» продлится до {date_plain}.",
]
OUT_OF_SCOPE = [
    "рецепт борща со сметаной", "курс биткоина на завтра", "погода в москве на выходные",
    "как починить велосипед", "купить айфон недорого", "расписание электричек до клина",
    "лучший сериал этого года", "как выучить python за месяц", "ремонт стиральной машины",
    "кто выиграл чемпионат мира по футболу", "прогноз курса доллара",
    "где купить шины зимние", "как приготовить плов", "ставки на спорт онлайн",
]
QUESTION_TEMPLATES = [
    "где пройдет {kind} в {city_prep}",
    "когда {kind} для специалистов в {city_prep}",
    "какие {kinds} будут в {region_prep}",
    "как попасть на {kind_acc} по {topic_dat}",
    "телефон доверия для детей {city_gen}",
    "семейный мфц в {city_prep} адрес",
    "что такое семейный мфц",
    "нужна помощь семье с детьми в {city_prep}",
    "как подать заявку на конкурс {project}",
    "итоги конкурса профессионального мастерства {region_gen}",
]
LONG_OPENERS = [
    "Здравствуйте, подскажите пожалуйста, я работаю специалистом в {city_prep} и хотела бы "
    "узнать",
    "Добрый день! Мы многодетная семья из {region_gen}, у нас сложная ситуация и мы не знаем",
    "Извините за беспокойство, меня интересует такой вопрос, может быть вы знаете",
]
RU_TO_EN = str.maketrans("йцукенгшщзхъфывапролджэячсмитьбюё", "qwertyuiop[]asdfghjkl;'zxcvbnm,.`")


@dataclass(frozen=True)
class Article:
    name: str  # the file name of the upload
    data: bytes


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """The seeds' prose sentences (40–400 characters), in file order, deduplicated."""
    out: dict[str, None] = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for para in text.splitlines():
            para = para.strip()
            if len(para) < 40:
                continue
            for sent in re.split(r"(?<=[.!?…])\s+(?=[А-ЯЁ«])", para):
                sent = sent.strip()
                if 40 <= len(sent) <= 400 and sent[-1] in ".!?…»" and "http" not in sent:
                    out[sent] = None
    return tuple(out)


@lru_cache(maxsize=1)
def seed_vocabulary() -> tuple[str, ...]:
    """Distinct words (≥ 4 letters, lower case) of the seeds, in first-seen order."""
    seen: dict[str, None] = {}
    for sent in seed_sentences():
        for w in re.findall(r"[А-Яа-яЁё]{4,}", sent):
            seen.setdefault(w.lower(), None)
    return tuple(seen)


def _surname(rng: random.Random) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return stem.capitalize() + rng.choice(["ова", "ева", "ина", "ская", "ова", "енко"])


def _date_phrase(rng: random.Random, year: int) -> tuple[str, str]:
    """(phrase as in a lead sentence, plain «до …» form)."""
    month = rng.randrange(12)
    day = rng.randint(1, 25)
    style = rng.random()
    plain = f"{day} {MONTHS_GEN[month]} {year} года"
    if style < 0.35:
        phrase = f"{day} {MONTHS_GEN[month]} {year} года"
    elif style < 0.6:
        phrase = f"С {day} по {day + rng.randint(1, 3)} {MONTHS_GEN[month]}"
    elif style < 0.8:
        phrase = f"{day:02d}/{month + 1:02d}/{year}"
    elif style < 0.9:
        phrase = f"{day:02d}.{month + 1:02d}.{year}"
    else:
        phrase = f"{day} {MONTHS_GEN[month]}"
    return phrase, plain


def _fill(template: str, ctx: dict[str, str]) -> str:
    text = template.format(**ctx)
    return text[0].upper() + text[1:]


def _move_places(sentence: str, rng: random.Random) -> str:
    for name, case in SEED_PLACES.items():
        if name in sentence:
            sentence = sentence.replace(name, rng.choice(CITIES)[case])
    for name, case in SEED_REGIONS.items():
        if name in sentence:
            sentence = sentence.replace(name, rng.choice(REGIONS)[case])
    sentence = re.sub(r"\b20(2[3-6])\b", lambda m: str(rng.choice((2023, 2024, 2025, 2026))),
                      sentence)
    sentence = re.sub(r"\b(\d{2,3}) (регион|участник|семей|специалист)",
                      lambda m: f"{rng.randint(12, 900)} {m.group(2)}", sentence)
    return sentence


def article(seed: int, i: int) -> Article:
    """Article number `i` of the corpus `seed` (a plain-text upload)."""
    rng = random.Random(seed * 1_000_003 + i)
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    nom, gen, acc = KINDS[kind]
    city = rng.choice(CITIES)
    region = rng.choice(REGIONS)
    year = rng.choice((2023, 2024, 2024, 2025, 2025, 2026))
    date, date_plain = _date_phrase(rng, year)
    topic = rng.choice(TOPICS)
    project = f"{rng.choice(PROJECT_WORDS)}-{year}" if rng.random() < 0.6 else rng.choice(
        PROJECT_WORDS)
    ctx = {
        "Kind": nom.capitalize(), "kind_nom": nom, "kind_acc": acc, "kind_gen": gen,
        "kind_prep": "стажировке" if kind == "стажировка" else nom + "е" if nom[-1] not in "ая"
        else nom[:-1] + "и",
        "topic": topic, "topic_short": "по вопросам " + topic,
        "city_prep": city[2], "city_gen": city[1], "region_gen": region[1],
        "region_prep": region[2], "audience": rng.choice(AUDIENCES), "project": project,
        "Scope": rng.choice(SCOPE).capitalize(), "scope": rng.choice(SCOPE).lower(),
        "Org": rng.choice(ORGS), "date": date, "date_plain": date_plain,
        "verb": rng.choice(["пройдет", "прошла", "начнет работу", "состоится", "стартует"]),
    }
    title = _fill(rng.choice(TITLE_TEMPLATES), ctx)
    lead = _fill(rng.choice(LEAD_TEMPLATES), ctx)
    pool = seed_sentences()
    body = [lead]
    for sentence in rng.sample(pool, rng.randint(5, 14)):
        body.append(_move_places(sentence, rng))
    if rng.random() < 0.5:
        person = f"{rng.choice(FIRST_NAMES)} {_surname(rng)}"
        body.insert(rng.randint(1, len(body)),
                    f"«Мы рады видеть участников из {region[1]}», — отметила {person}, "
                    f"руководитель проекта «{project}».")
    if rng.random() < 0.3:
        body.append(f"Заявки принимаются до {date_plain} по телефону 8-800-{rng.randint(100, 999)}"
                    f"-{rng.randint(10, 99)}-{rng.randint(10, 99)}.")
    paragraphs: list[str] = []
    k = 0
    while k < len(body):
        n = rng.randint(1, 3)
        paragraphs.append(" ".join(body[k:k + n]))
        k += n
    header = f"date {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n" \
        if rng.random() < 0.2 else ""
    text = header + title + "\n\n" + "\n\n".join(paragraphs) + "\n"
    return Article(f"bench_{seed}_{i:06d}.txt", text.encode("utf-8"))


def articles(n: int, seed: int = 1, start: int = 0) -> Iterator[Article]:
    for i in range(start, n):
        yield article(seed, i)


# ---- queries ------------------------------------------------------------------------------
def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    j = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.33:
        return word[:j] + word[j + 1:]  # deletion
    if op < 0.66:
        return word[:j] + word[j + 1] + word[j] + word[j + 2:]  # swap
    return word[:j] + rng.choice("аеиоунтсрвл") + word[j + 1:]  # substitution


QUERY_KINDS = ("short", "question", "typo", "layout", "long", "out_of_scope")
QUERY_WEIGHTS = (25, 25, 15, 10, 15, 10)


def query(seed: int, i: int) -> tuple[str, str]:
    """(kind, text) of query `i`: deterministic for the seed."""
    rng = random.Random(seed * 7_919 + i * 104_729 + 17)
    kind = rng.choices(QUERY_KINDS, weights=QUERY_WEIGHTS)[0]
    vocab = seed_vocabulary()
    city = rng.choice(CITIES)
    region = rng.choice(REGIONS)
    k = rng.choice(list(KINDS))
    ctx = {
        "kind": KINDS[k][0], "kind_acc": KINDS[k][2], "kinds": k + ("и" if k[-1] == "а" else "ы"),
        "city_prep": city[2], "city_gen": city[1], "region_gen": region[1],
        "region_prep": region[2], "project": rng.choice(PROJECT_WORDS),
        "topic_dat": rng.choice(["профилактике сиротства", "поддержке семей",
                                 "работе с подростками", "семейному устройству"]),
    }
    if kind == "short":
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            words.append(rng.choice([KINDS[k][0], city[0], "телефон доверия", "семейный мфц"]))
        return kind, " ".join(words)
    if kind == "question":
        return kind, rng.choice(QUESTION_TEMPLATES).format(**ctx)
    if kind == "typo":
        base = rng.choice(QUESTION_TEMPLATES).format(**ctx).split() + [rng.choice(vocab)]
        return kind, " ".join(_typo(w, rng) if rng.random() < 0.5 else w for w in base)
    if kind == "layout":
        base = rng.choice(QUESTION_TEMPLATES + ["{kind} {city_gen}"]).format(**ctx)
        return kind, base.lower().translate(RU_TO_EN)
    if kind == "long":
        opener = rng.choice(LONG_OPENERS).format(**ctx)
        tail = " ".join(rng.choice(vocab) for _ in range(rng.randint(10, 30)))
        q = rng.choice(QUESTION_TEMPLATES).format(**ctx)
        return kind, f"{opener} {q}? {tail}"
    return kind, rng.choice(OUT_OF_SCOPE) + ("" if rng.random() < 0.5 else f" {city[0]}")


def queries(n: int, seed: int = 1) -> list[tuple[str, str]]:
    return [query(seed, i) for i in range(n)]


if __name__ == "__main__":  # a look at a few articles and queries
    for a in articles(2):
        print(a.name, "\n" + a.data.decode())
    for q in queries(12):
        print(q)
