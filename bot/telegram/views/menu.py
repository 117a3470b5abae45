"""The texts and keyboard of /start and /help."""

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

USER_COMMANDS = [
    ("start", "Начало и главное меню"),
    ("help", "Что умеет бот"),
    ("helpline", "Детский телефон доверия"),
    ("mfc", "Семейный МФЦ"),
    ("services", "Все службы помощи"),
    ("events", "Ближайшие мероприятия для специалистов"),
    ("subscribe", "Подписаться на новые мероприятия"),
    ("unsubscribe", "Отписаться от уведомлений"),
    ("search", "Поиск по материалам"),
]
ADMIN_COMMANDS = [
    ("add", "Добавить статью (текст или файл)"),
    ("articles", "Список статей"),
    ("delete", "Удалить статью по номеру"),
    ("stats", "Статистика и журнал действий"),
]


BUTTON_HELPLINE = "Телефон доверия"
BUTTON_MFC = "Семейный МФЦ"
BUTTON_EVENTS = "Мероприятия"
BUTTON_ASK = "Задать вопрос"

START_TEXT = (
    "Здравствуйте! Я помогаю семьям и специалистам найти помощь и новости о ней.\n\n"
    "• <b>Детский телефон доверия 8-800-2000-122</b> — бесплатно и анонимно.\n"
    "• Семейные МФЦ — поддержка семьи «в одном окне».\n"
    "• Форумы, конкурсы и стажировки для специалистов.\n\n"
    "Напишите вопрос своими словами или выберите кнопку внизу. "
    "Если вам угрожает опасность — звоните 112."
)

HELP_TEXT = (
    "Что я умею:\n"
    + "\n".join(f"/{c} — {d}" for c, d in USER_COMMANDS)
    + (
        "\n\nМожно просто написать вопрос: «что такое семейный мфц», «когда стажировка в Тюмени».\n"
        "Для администраторов: " + ", ".join(f"/{c}" for c, _ in ADMIN_COMMANDS) + "."
    )
)


def main_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=BUTTON_HELPLINE), KeyboardButton(text=BUTTON_MFC)],
            [KeyboardButton(text=BUTTON_EVENTS), KeyboardButton(text=BUTTON_ASK)],
        ],
        resize_keyboard=True,
        input_field_placeholder="Ваш вопрос…",
    )


ASK_PROMPT = (
    "Напишите вопрос своими словами — например: «что такое семейный МФЦ» "
    "или «когда ближайшая стажировка»."
)
