"""What the public surfaces and the notice drafts say, in the site's language (en, uk, ru)."""

from corrigo.notify.strings import language_of

KINDS = {
    "en": {
        "correction": "Correction",
        "clarification": "Clarification",
        "update": "Update",
        "editors_note": "Editor's note",
        "retraction": "Retraction",
    },
    "uk": {
        "correction": "Виправлення",
        "clarification": "Уточнення",
        "update": "Оновлення",
        "editors_note": "Примітка редакції",
        "retraction": "Відкликання",
    },
    "ru": {
        "correction": "Исправление",
        "clarification": "Уточнение",
        "update": "Обновление",
        "editors_note": "Примечание редакции",
        "retraction": "Отзыв публикации",
    },
}

# Drafts of a notice, from the case's quote and what the passage says now (or the reader's suggestion).
DRAFTS = {
    "en": {
        "quote_and_fix": "An earlier version of this article said “{quote}”; it now says “{fix}”.",
        "quote": "An earlier version of this article said “{quote}”. This has been corrected.",
        "none": "An earlier version of this article contained an error. This has been corrected.",
    },
    "uk": {
        "quote_and_fix": "У попередній версії цієї статті було написано «{quote}»; правильно — «{fix}».",
        "quote": "У попередній версії цієї статті було написано «{quote}». Помилку виправлено.",
        "none": "Попередня версія цієї статті містила помилку. Її виправлено.",
    },
    "ru": {
        "quote_and_fix": "В предыдущей версии этой статьи было написано «{quote}»; правильно — «{fix}».",
        "quote": "В предыдущей версии этой статьи было написано «{quote}». Ошибка исправлена.",
        "none": "Предыдущая версия этой статьи содержала ошибку. Она исправлена.",
    },
}

PAGE = {
    "en": {
        "title": "Corrections and clarifications: {site}",
        "policy": "Our corrections policy",
        "empty": "No corrections have been published yet.",
        "minor": "minor",
        "published": "Published",
        "updated": "updated",
        "newer": "Newer",
        "older": "Older",
        "pages": "Pages",
        "page_of": "Page {page} of {pages}",
        "feeds": "Follow the corrections",
        "article_notices": "Corrections to this article",
        "smaller_fixes": "Smaller fixes",
        "all": "All corrections",
    },
    "uk": {
        "title": "Виправлення та уточнення: {site}",
        "policy": "Наша політика виправлень",
        "empty": "Виправлень ще не опубліковано.",
        "minor": "дрібне",
        "published": "Опубліковано",
        "updated": "оновлено",
        "newer": "Новіші",
        "older": "Старіші",
        "pages": "Сторінки",
        "page_of": "Сторінка {page} з {pages}",
        "feeds": "Стежити за виправленнями",
        "article_notices": "Виправлення до цієї статті",
        "smaller_fixes": "Дрібні виправлення",
        "all": "Усі виправлення",
    },
    "ru": {
        "title": "Исправления и уточнения: {site}",
        "policy": "Наша политика исправлений",
        "empty": "Исправлений пока не опубликовано.",
        "minor": "мелкое",
        "published": "Опубликовано",
        "updated": "обновлено",
        "newer": "Новее",
        "older": "Старее",
        "pages": "Страницы",
        "page_of": "Страница {page} из {pages}",
        "feeds": "Следить за исправлениями",
        "article_notices": "Исправления к этой статье",
        "smaller_fixes": "Мелкие исправления",
        "all": "Все исправления",
    },
}


def kind_label(kind: str, language: str) -> str:
    return KINDS[language_of(language)].get(kind, kind)


def page_strings(language: str) -> dict[str, str]:
    return PAGE[language_of(language)]


def draft_sentence(language: str, quote: str, fix: str) -> str:
    drafts = DRAFTS[language_of(language)]
    if quote and fix:
        return drafts["quote_and_fix"].format(quote=quote, fix=fix)
    if quote:
        return drafts["quote"].format(quote=quote)
    return drafts["none"]
