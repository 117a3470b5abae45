"""What the query log may keep: the question, not the person.

The log exists so editors see what people ask and what found no answer. A name, a phone
number or an e-mail typed into a question is not needed for that and must not sit in the
store or reach `/stats`, so they are masked before anything is written. (Distress is
not masked but kept out altogether: the answering layer never logs a message that reads
as distress — see `Answerer.answer`.) Hand-written patterns: the PII scrubbers on PyPI
(presidio, scrubadub) are English-first and pull in spaCy models the machine cannot fetch.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, possibly with +, spaces, dashes and brackets between them.
_PHONE = re.compile(r"(?<!\w)\+?\d(?:[\s()\-]*\d){6,}(?!\w)")
# «меня зовут Мария Иванова», «моё имя Мария», «я Мария Иванова»: the capitalised words
# after the introduction.
_INTRO = re.compile(
    r"(?i:меня\s+зовут|мо[её]\s+имя|моя\s+фамилия|мо[её]\s+фио|я\s*[—-]|зовут)\s+"
    r"((?:[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Z][а-яёa-z]+)?\s*){1,3})"
)


def redact(text: str) -> str:
    """The question with e-mails, phone numbers and introduced names masked."""
    text = _EMAIL.sub("[e-mail]", text)
    text = _PHONE.sub("[телефон]", text)

    def name(m: re.Match[str]) -> str:
        typed = m.group(1)
        return m.group(0)[: m.start(1) - m.start(0)] + "[имя]" + typed[len(typed.rstrip()) :]

    return _INTRO.sub(name, text).strip()
