"""How a case reads on its card: headlines without the site's name, context at whole words, answer times."""

from datetime import UTC, datetime, timedelta

import pytest

from corrigo.desk import cards

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "title,site,expected",
    [
        (
            "Harbour town votes to keep its night ferry — The Coastline Courier",
            "The Coastline Courier (demo)",
            "Harbour town votes to keep its night ferry",
        ),
        ("The Courier | Ferry vote - the night service stays", "The Courier", "Ferry vote - the night service stays"),
        ("Ferry vote | Courier", "The Courier", "Ferry vote"),
        ("Covid-19 cases rise in Port Elwin", "The Courier", "Covid-19 cases rise in Port Elwin"),
        ("Opinion | Why the ferry matters", "The Courier", "Opinion | Why the ferry matters"),
        ("  Ferry   vote  ", "The Courier", "Ferry vote"),
        ("The Courier", "The Courier", "The Courier"),  # never emptied
    ],
)
def test_headline_drops_the_site_name_every_page_repeats(title, site, expected):
    assert cards.headline(title, site) == expected


def test_a_suffix_many_articles_share_is_learnt_as_the_site_name():
    titles = ["Ferry vote · Daily Harbour", "Bridge works · Daily Harbour", "Storm warning · Daily Harbour", "Lone title"]
    repeated = cards.site_suffixes(titles)
    assert cards.headline("Ferry vote · Daily Harbour", "Bench Daily", repeated) == "Ferry vote"
    # Two articles are not enough to call a segment the site's name.
    assert cards.site_suffixes(titles[:2]) == set()


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://news.example.org/2026/11/harbour-town-keeps-night-ferry.html", "Harbour town keeps night ferry"),
        ("https://news.example.org/2026/ferry", "news.example.org/2026/ferry"),
        ("https://news.example.org/", "news.example.org"),
        ("https://news.example.org/2026/11/30", "news.example.org/2026/11/30"),
        ("javascript:alert(1)", "javascript:alert(1)"),
    ],
)
def test_without_a_title_the_address_stands_in_readably(url, expected):
    assert cards.headline_from_url(url) == expected


def test_context_is_cut_at_whole_words_and_within_its_paragraph():
    prefix = "o keep the ferry running from x "  # 32 code points, cut mid-word by the widget
    assert len(prefix) == 32
    assert cards.context_before(prefix) == ("keep the ferry running from x ", True)
    assert cards.context_before("Harbour town votes\nThe council ") == ("The council ", False)
    assert cards.context_before("short start ") == ("short start ", False)
    suffix = " to March, said the spokesman co"
    assert len(suffix) == 32
    assert cards.context_after(suffix) == (" to March, said the spokesman", True)
    assert cards.context_after(" to March.\nAbout 340") == (" to March.", False)
    # One long token: nothing to cut at, shown whole.
    assert cards.context_before("x" * 32) == ("x" * 32, True)


def test_shorten_cuts_after_a_whole_word():
    assert cards.shorten("word " * 100, 300).endswith("word…")
    assert len(cards.shorten("word " * 100, 300)) <= 300
    assert cards.shorten("Ж" * 302, 300) == "Ж" * 299 + "…"
    assert cards.shorten("short", 300) == "short"


@pytest.mark.parametrize(
    "age,hours,state,words",
    [
        (timedelta(hours=1), 24, "ok", "23 h left"),
        (timedelta(hours=19), 24, "soon", "5 h left"),
        (timedelta(hours=30), 24, "late", "6 h overdue"),
        (timedelta(days=5), 24, "late", "4 d overdue"),
        (timedelta(minutes=59, seconds=30), 1, "soon", "1 min left"),
    ],
)
def test_answer_time_against_the_sites_target(age, hours, state, words):
    assert cards.answer_time(NOW - age, hours, NOW) == cards.AnswerTime(state, words)


def test_no_target_no_answer_time():
    assert cards.answer_time(NOW, None, NOW) is None
