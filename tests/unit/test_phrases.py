"""The wording key and the likeness of wordings (bot/search/phrases.py), on their own."""

from __future__ import annotations

from bot.search.analysis import lemmatize, tokenize
from bot.search.phrases import group_keys, phrase_key, similarity, word_weight

STOP = frozenset({"как", "где", "подсказать", "пожалуйста"})
# A small IDF: general words of the field count for little, the rest much.
COMMON = {"ребенок": 0.2, "бесплатный": 0.6, "бесплатно": 0.6, "детский": 0.8}


def key(text: str) -> str:
    return phrase_key(lemmatize(tokenize(text)), STOP)


def weight(word: str) -> float:
    return word_weight(word, lambda w: COMMON.get(w, 3.0))


def test_inflection_case_and_word_order_share_a_key():
    assert key("Как получить материнский капитал?") == "капитал материнский получить"
    assert key("МАТЕРИНСКОГО капитала как получить") == key("как получить материнский капитал")
    assert key("материнский капитал на второго ребенка") != key("материнский капитал")
    assert key("а как?") == ""


def test_typos_and_an_extra_verb_are_alike_general_words_are_not():
    alike = [
        ("матиринский капитал", "материнский капитал"),
        ("логопед", "где найти логопеда"),
        ("бесплатный логопед", "логопед для ребенка бесплатно"),
    ]
    for a, b in alike:
        assert similarity(key(a).split(), key(b).split(), weight) >= 0.65, (a, b)
    apart = [
        ("бесплатные лекарства детям", "бесплатные кружки для детей"),
        ("путевка в лагерь", "путевка в санаторий"),
        ("алименты", "ребенок"),
    ]
    for a, b in apart:
        assert similarity(key(a).split(), key(b).split(), weight) < 0.65, (a, b)


def test_groups_lead_with_the_most_frequent_key():
    keys = [key(t) for t in ("логопед", "бесплатный логопед", "путевка лагерь", "путевка санаторий")]
    leader = group_keys(keys, weight)
    assert leader[keys[1]] == keys[0]
    assert leader[keys[2]] == keys[2] and leader[keys[3]] == keys[3]
