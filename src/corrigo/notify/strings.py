"""What mail and the reader-facing pages say, in the languages the widget speaks (en, uk, ru).

A small catalogue rather than gettext: three languages, a few dozen sentences, and the
mail is written in the worker for someone else's language, not the request's.
Placeholders are str.format fields, filled in by the code that renders the mail.
"""

LANGUAGES = ("en", "uk", "ru")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "new_case_subject": "New case on {site}: “{quote}”",
        "new_case_subject_no_quote": "New message on {site}: “{comment}”",
        "new_case_intro": "A reader reported a mistake on {site}.",
        "article": "Article",
        "passage": "The passage",
        "suggestion": "Suggested instead",
        "comment": "Comment",
        "category": "Kind",
        "open_case": "Open the case in the desk",
        "why_you": "You get this because you are a member of {site}. Choose what you get (at once, a daily digest, nothing):",
        "unsubscribe": "Stop these emails",
        "digest_subject": "{site}: {count} new case(s) in the last day",
        "digest_intro": "New cases on {site} since the last digest:",
        "readers": "readers: {count}",
        "thanks_subject": "Thank you: we corrected “{quote}”",
        "thanks_subject_no_quote": "Thank you: we corrected the article",
        "thanks_intro": "You told us about a mistake in “{article}”. We have corrected it. Thank you for writing to us.",
        "thanks_was": "What was wrong",
        "thanks_now": "What it says now",
        "thanks_notice": "Our correction notice",
        "thanks_read_notice": "Read the notice",
        "thanks_your_suggestion": "Your suggestion",
        "thanks_footer": "We used your address only to tell you this, and we have now erased it from your report.",
        "thanks_opt_out": "Never write to me again",
        "opt_out_title": "No more emails from us",
        "opt_out_question": "Press the button and we will never write to this address again about any report.",
        "opt_out_button": "Never write to me again",
        "opt_out_done": "Done: we will never write to this address again.",
        "link_broken": "This link is not valid (it may have been cut short).",
        "unsubscribe_title": "Stop emails about {site}",
        "unsubscribe_question": "Press the button to stop all emails about {site}'s cases to you.",
        "unsubscribe_button": "Stop these emails",
        "unsubscribe_done": "Done: you will get no more emails about {site}'s cases. You can turn them on again in the desk.",
    },
    "uk": {
        "new_case_subject": "Нова справа на {site}: «{quote}»",
        "new_case_subject_no_quote": "Нове повідомлення на {site}: «{comment}»",
        "new_case_intro": "Читач повідомив про помилку на {site}.",
        "article": "Стаття",
        "passage": "Уривок",
        "suggestion": "Пропонує натомість",
        "comment": "Коментар",
        "category": "Тип",
        "open_case": "Відкрити справу в редакції",
        "why_you": "Ви отримуєте цей лист, бо ви учасник {site}. Оберіть, що отримувати (одразу, щоденний огляд, нічого):",
        "unsubscribe": "Не надсилати цих листів",
        "digest_subject": "{site}: нових справ за добу — {count}",
        "digest_intro": "Нові справи на {site} від останнього огляду:",
        "readers": "читачів: {count}",
        "thanks_subject": "Дякуємо: ми виправили «{quote}»",
        "thanks_subject_no_quote": "Дякуємо: ми виправили статтю",
        "thanks_intro": "Ви повідомили нам про помилку в «{article}». Ми її виправили. Дякуємо, що написали нам.",
        "thanks_was": "Що було не так",
        "thanks_now": "Як тепер",
        "thanks_notice": "Наше повідомлення про виправлення",
        "thanks_read_notice": "Прочитати повідомлення",
        "thanks_your_suggestion": "Ваша пропозиція",
        "thanks_footer": "Ми використали вашу адресу лише для цього листа і тепер стерли її з вашого повідомлення.",
        "thanks_opt_out": "Більше ніколи мені не писати",
        "opt_out_title": "Більше жодних листів від нас",
        "opt_out_question": "Натисніть кнопку, і ми більше ніколи не писатимемо на цю адресу.",
        "opt_out_button": "Більше ніколи мені не писати",
        "opt_out_done": "Готово: ми більше ніколи не писатимемо на цю адресу.",
        "link_broken": "Це посилання недійсне (можливо, його обрізано).",
        "unsubscribe_title": "Не надсилати листів про {site}",
        "unsubscribe_question": "Натисніть кнопку, щоб більше не отримувати листів про справи {site}.",
        "unsubscribe_button": "Не надсилати цих листів",
        "unsubscribe_done": "Готово: листів про справи {site} більше не буде. Їх можна знову ввімкнути в редакції.",
    },
    "ru": {
        "new_case_subject": "Новое дело на {site}: «{quote}»",
        "new_case_subject_no_quote": "Новое сообщение на {site}: «{comment}»",
        "new_case_intro": "Читатель сообщил об ошибке на {site}.",
        "article": "Статья",
        "passage": "Фрагмент",
        "suggestion": "Предлагает вместо этого",
        "comment": "Комментарий",
        "category": "Тип",
        "open_case": "Открыть дело в редакции",
        "why_you": "Вы получаете это письмо, потому что вы участник {site}. Выберите, что получать (сразу, ежедневную сводку, ничего):",
        "unsubscribe": "Не присылать эти письма",
        "digest_subject": "{site}: новых дел за сутки — {count}",
        "digest_intro": "Новые дела на {site} с последней сводки:",
        "readers": "читателей: {count}",
        "thanks_subject": "Спасибо: мы исправили «{quote}»",
        "thanks_subject_no_quote": "Спасибо: мы исправили статью",
        "thanks_intro": "Вы сообщили нам об ошибке в «{article}». Мы её исправили. Спасибо, что написали нам.",
        "thanks_was": "Что было не так",
        "thanks_now": "Как теперь",
        "thanks_notice": "Наше сообщение об исправлении",
        "thanks_read_notice": "Прочитать сообщение",
        "thanks_your_suggestion": "Ваше предложение",
        "thanks_footer": "Мы использовали ваш адрес только для этого письма и теперь стёрли его из вашего сообщения.",
        "thanks_opt_out": "Больше никогда мне не писать",
        "opt_out_title": "Больше никаких писем от нас",
        "opt_out_question": "Нажмите кнопку, и мы больше никогда не будем писать на этот адрес.",
        "opt_out_button": "Больше никогда мне не писать",
        "opt_out_done": "Готово: мы больше никогда не будем писать на этот адрес.",
        "link_broken": "Эта ссылка недействительна (возможно, она обрезана).",
        "unsubscribe_title": "Не присылать писем о {site}",
        "unsubscribe_question": "Нажмите кнопку, чтобы больше не получать писем о делах {site}.",
        "unsubscribe_button": "Не присылать эти письма",
        "unsubscribe_done": "Готово: писем о делах {site} больше не будет. Их можно снова включить в редакции.",
    },
}

CATEGORIES = {
    "en": {"typo": "typo", "fact": "factual error", "other": "other"},
    "uk": {"typo": "одрук", "fact": "фактична помилка", "other": "інше"},
    "ru": {"typo": "опечатка", "fact": "фактическая ошибка", "other": "другое"},
}


def language_of(tag: str | None, fallback: str | None = None) -> str:
    """en, uk or ru for a BCP 47 tag ("uk-UA" → uk), else the fallback's, else en."""
    for candidate in (tag, fallback):
        primary = (candidate or "").split("-", 1)[0].split("_", 1)[0].lower()
        if primary in LANGUAGES:
            return primary
    return "en"


def strings(language: str) -> dict[str, str]:
    return STRINGS[language_of(language)]
