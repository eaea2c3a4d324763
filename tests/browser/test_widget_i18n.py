"""The widget speaks the reader's language: data-lang, then <html lang>, then the browser."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.pages import CORRIGO, host_page, select
from tests.browser.pages.fixtures import ARTICLE, goto, press_report, publisher, stored_reports, web

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDGET = Path(__file__).resolve().parents[2] / "src" / "corrigo" / "widget" / "js"
LANGUAGES = ("en", "uk", "ru")


def strings(lang: str) -> dict:
    return json.loads((WIDGET / f"i18n-{lang}.json").read_text(encoding="utf-8"))


def _case(data_lang, html_lang, locale, expected):
    return pytest.param(
        data_lang,
        html_lang,
        expected,
        marks=pytest.mark.browser_context_args(locale=locale),
        id=f"{data_lang}-{html_lang or 'none'}-{locale}",
    )


@pytest.mark.parametrize(
    ("data_lang", "html_lang", "expected"),
    [
        _case("uk", "en", "en-US", "uk"),  # data-lang first
        _case("ru", "uk", "uk-UA", "ru"),
        _case(None, "ru", "en-US", "ru"),  # then the page's language
        _case(None, "uk-UA", "en-US", "uk"),  # with a region
        _case(None, "de", "ru-RU", "ru"),  # a page language we have no strings for: the browser's
        _case(None, "", "uk-UA", "uk"),
        _case("xx", "fr", "fr-FR", "en"),  # nothing we speak: English
    ],
)
def test_language_is_chosen_and_only_its_strings_are_loaded(page, web, publisher, data_lang, html_lang, expected):
    html = host_page("article.html", lang=data_lang, **ARTICLE).replace('<html lang="en">', f'<html lang="{html_lang}">')
    goto(page, web, html)
    assert not [u for u in web.corrigo_requests() if "/i18n-" in u]  # nothing before first use
    select(page, "old customs house")
    assert press_report(page) is True
    t = strings(expected)
    form = page.get_by_role("dialog", name=t["title"])
    expect(form).to_be_visible()
    assert form.get_attribute("lang") == expected
    expect(form.get_by_role("button", name=t["send"])).to_be_visible()
    expect(form.get_by_label(t["email"])).to_have_accessible_description(t["emailNote"])
    assert [u for u in web.corrigo_requests() if "/i18n-" in u] == [f"{CORRIGO}/widget/i18n-{expected}.json"]
    form.get_by_role("button", name=t["send"]).click()
    expect(form.get_by_role("status")).to_have_text(t["sent"])
    assert [r.language for r in stored_reports()] == [expected]


@pytest.mark.browser_context_args(locale="uk-UA")
def test_general_form_and_its_messages_are_translated(page, web, publisher):
    goto(page, web, host_page("article.html", **ARTICLE).replace('<html lang="en">', "<html>"))
    page.click("#open")
    t = strings("uk")
    form = page.get_by_role("dialog", name=t["titleGeneral"])
    form.get_by_role("button", name=t["send"]).click()
    expect(form.get_by_role("status")).to_have_text(t["needComment"])
    expect(form.get_by_role("radio", name=t["fact"])).to_be_visible()


def test_every_language_has_every_string():
    keys = set(strings("en"))
    for lang in LANGUAGES:
        t = strings(lang)
        assert set(t) == keys, lang
        assert all(isinstance(v, str) and v.strip() for v in t.values()), lang
        assert t["dir"] in ("ltr", "rtl")


def test_the_code_uses_only_strings_that_exist():
    used = set()
    for path in WIDGET.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bstrings\.([A-Za-z]+)\b", source))
        used |= set(re.findall(r"'(why[A-Z][A-Za-z]+)'", source))  # the reasons a selection is not quoted
    used |= {"typo", "fact", "other"}  # looked up by the category's value
    assert used and used <= set(strings("en"))
    assert set(strings("en")) - used == set()  # and no string is dead
