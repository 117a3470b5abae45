"""How the editors' queue groups wordings: pairwise precision and recall of each method.

Wordings people would type and not find answered, labelled by topic, in two sets written
apart (`DEV` was looked at while choosing; `HOLDOUT` was written afterwards and only
measured). Within a topic: inflection, word order, typos, fillers, a verb more or less.
Across topics, look-alikes sharing general words («бесплатный», «ребенок», «детский сад»):
merging those is the costly mistake, since linking a group links all its wordings.

    python -m tests.eval.review_grouping

The IDF comes from the seeded store, as in the bot (`bot.domain.review`).
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from collections.abc import Callable, Sequence

from rapidfuzz import fuzz

from bot.search.analysis import lemmatize, tokenize
from bot.search.phrases import group_keys, phrase_key, word_weight

DEV: dict[str, list[str]] = {
    "maternity_capital": [
        "как получить материнский капитал",
        "Материнский капитал как получить?",
        "получение материнского капитала",
        "материнский капитал",
        "матиринский капитал",
        "подскажите пожалуйста про материнский капитал",
        "материнский капитал на второго ребенка",
    ],
    "guardianship": [
        "как оформить опеку",
        "оформление опеки над ребенком",
        "опека над ребенком оформить",
        "Как оформить опеку над внуком?",
        "опеку оформить",
    ],
    "alimony": [
        "как подать на алименты",
        "алименты на ребенка",
        "подать на алименты",
        "Алименты",
        "как взыскать алименты с бывшего мужа",
        "алиментов не платит",
    ],
    "kindergarten_queue": [
        "очередь в детский сад",
        "как встать в очередь в детский сад",
        "очередь в детсад",
        "Очередь в детский садик",
        "встать в очередь на детский сад",
    ],
    "summer_camp": [
        "путевка в лагерь",
        "путёвки в летний лагерь для детей",
        "бесплатная путевка в лагерь",
        "как получить путевку в лагерь",
        "путевка в детский лагерь",
    ],
    "sanatorium": ["путевка в санаторий", "санаторий для ребенка путевка", "путёвку в санаторий"],
    "speech_therapist": [
        "логопед для ребенка",
        "где найти логопеда",
        "бесплатный логопед",
        "логопед",
        "логопеда для ребёнка бесплатно",
    ],
    "psychologist": [
        "психолог для подростка",
        "бесплатный психолог для подростка",
        "подростковый психолог",
        "психолог для ребенка бесплатно",
    ],
    "large_family_id": [
        "удостоверение многодетной семьи",
        "как получить удостоверение многодетной семьи",
        "удостоверение многодетной",
        "удостоверения многодетным семьям",
    ],
    "school_uniform": [
        "школьная форма многодетным",
        "бесплатная школьная форма",
        "школьную форму бесплатно",
    ],
    "divorce_children": [
        "с кем останутся дети при разводе",
        "развод дети с кем останутся",
        "при разводе с кем остается ребенок",
    ],
    "young_family_housing": [
        "жилье для молодой семьи",
        "молодая семья жилье программа",
        "программа молодая семья жилье",
        "жильё молодым семьям",
    ],
    "free_medicine": [
        "бесплатные лекарства детям до 6 лет",
        "лекарства бесплатно детям до шести лет",
        "бесплатные лекарства детям",
    ],
    "clubs": [
        "бесплатные кружки для детей",
        "кружки для детей бесплатно",
        "секции для детей бесплатно",
    ],
    "weather": ["погода завтра в москве", "погода в москве на завтра", "какая погода завтра"],
    "school_enrolment": [
        "запись в первый класс",
        "как записать ребенка в первый класс",
        "запись в 1 класс",
    ],
    "kindergarten_fee": [
        "компенсация за детский сад",
        "компенсация родительской платы за детский сад",
    ],
    "maternity_leave": ["декретные выплаты", "выплаты в декрете", "декретные"],
}

HOLDOUT: dict[str, list[str]] = {
    "birth_certificate": [
        "как получить свидетельство о рождении",
        "свидетельство о рождении ребенка получить",
        "потеряли свидетельство о рождении",
        "свидетельство о рождении",
    ],
    "passport_14": ["паспорт в 14 лет", "как получить паспорт в 14 лет", "паспорт ребенку 14 лет"],
    "unified_benefit": [
        "единое пособие",
        "единое пособие на детей",
        "как оформить единое пособие",
        "единого пособия отказали",
    ],
    "foster_family": [
        "как стать приемной семьей",
        "приемная семья как стать",
        "стать приемным родителем",
        "приёмная семья",
    ],
    "teacher_shouts": [
        "учитель кричит на ребенка",
        "учительница кричит на сына",
        "учитель орет на детей",
    ],
    "internet_safety": [
        "безопасность детей в интернете",
        "как защитить ребенка в интернете",
        "родительский контроль интернет",
    ],
    "free_tutor": [
        "бесплатный репетитор",
        "репетитор бесплатно для школьника",
        "бесплатные репетиторы",
    ],
    "disabled_parking": ["парковка для инвалидов ребенок", "знак инвалид ребенку парковка"],
    "music_school": [
        "музыкальная школа",
        "музыкальная школа бесплатно",
        "записать в музыкальную школу",
    ],
    "sport_section": [
        "спортивные секции",
        "спортивная секция для ребенка",
        "секции спортивные бесплатно",
    ],
    "teen_job": [
        "работа для подростков",
        "подработка для подростка 14 лет",
        "работа подросткам летом",
    ],
    "tax_deduction": [
        "налоговый вычет на ребенка",
        "вычет на детей налоговый",
        "налоговый вычет",
    ],
    "school_meals": [
        "бесплатное питание в школе",
        "питание в школе бесплатно многодетным",
        "бесплатные обеды в школе",
    ],
    "child_dentist": ["детский стоматолог", "стоматолог для ребенка", "зубной врач детский"],
}


def _greedy(texts: Sequence[str], similar: Callable[[str, str], bool]) -> list[int]:
    """Group label per text: each joins the first group whose first text it is similar to."""
    firsts: list[str] = []
    labels = []
    for text in texts:
        for i, first in enumerate(firsts):
            if similar(first, text):
                labels.append(i)
                break
        else:
            firsts.append(text)
            labels.append(len(firsts) - 1)
    return labels


def pairwise(topics: Sequence[str], labels: Sequence[object]) -> tuple[float, float]:
    """(precision, recall) over pairs of wordings: same topic vs same group."""
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(topics)), 2):
        same, joined = topics[i] == topics[j], labels[i] == labels[j]
        tp += same and joined
        fp += joined and not same
        fn += same and not joined
    return (tp / (tp + fp) if tp + fp else 1.0), tp / (tp + fn)


def measure(groups: dict[str, list[str]], stopwords, idf) -> dict[str, tuple[float, float]]:
    items = [(topic, text) for topic, texts in groups.items() for text in texts]
    topics = [t for t, _ in items]
    keys = [phrase_key(lemmatize(tokenize(text)), stopwords) for _, text in items]
    raw = [" ".join(tokenize(text)) for _, text in items]
    leader = group_keys(list(dict.fromkeys(keys)), lambda w: word_weight(w, idf))
    return {
        "exact key": pairwise(topics, keys),
        "token_set_ratio keys >= 75": pairwise(
            topics, _greedy(keys, lambda a, b: fuzz.token_set_ratio(a, b) >= 75)
        ),
        "token_set_ratio text >= 70": pairwise(
            topics, _greedy(raw, lambda a, b: fuzz.token_set_ratio(a, b) >= 70)
        ),
        "idf-weighted overlap >= 0.65": pairwise(topics, [leader[k] for k in keys]),
    }


async def _main() -> None:
    from bot.app import App
    from bot.settings import load_settings

    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            database_url=f"sqlite:///{folder}/bot.sqlite3", bot_token=None, telegram_api_base=None
        )
        app = await App.create(settings)
        try:
            analyzer = app.search.analyzer
            for name, groups in (("dev", DEV), ("holdout", HOLDOUT)):
                n = sum(map(len, groups.values()))
                print(f"== {name}: {n} wordings, {len(groups)} topics (precision / recall)")
                for method, (p, r) in measure(groups, analyzer.vocab.stopwords, analyzer.idf).items():
                    print(f"{method:30} {p:.3f} / {r:.3f}")
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(_main())
