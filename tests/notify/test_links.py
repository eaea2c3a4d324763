"""Links in mail and chat messages: CORRIGO_BASE_URL, its fallback, and the signed tokens in them."""

import pytest
from django.core import signing

from corrigo.config import base_url
from corrigo.notify import links


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://corrections.example.org", "https://corrections.example.org"),
        ("https://corrections.example.org/", "https://corrections.example.org"),
        (" http://127.0.0.1:8000 ", "http://127.0.0.1:8000"),
        ("https://news.example.org/corrigo/", "https://news.example.org/corrigo"),
    ],
)
def test_the_base_url_is_kept_without_its_trailing_slash(value, expected):
    assert base_url(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "corrections.example.org",
        "ftp://x.example",
        "https://",
        "https://x.example/?a=1",
        "https://u:p@x.example",
        "https://x.example:99999",
    ],
)
def test_a_base_url_that_is_not_one_is_refused(value):
    with pytest.raises(ValueError, match="CORRIGO_BASE_URL"):
        base_url(value)


def test_links_start_with_the_base_url(db, settings):
    settings.BASE_URL = "https://corrections.example.org"
    assert links.case_link(42) == "https://corrections.example.org/desk/cases/42/"


def test_without_a_base_url_links_use_the_first_allowed_host(db, settings):
    settings.BASE_URL = ""
    links._guessed_base.cache_clear()
    settings.ALLOWED_HOSTS = ["*", ".example.org", "corrections.example.org"]
    try:
        assert links.case_link(1) == "https://corrections.example.org/desk/cases/1/"
        links._guessed_base.cache_clear()
        settings.ALLOWED_HOSTS = ["127.0.0.1"]
        assert links.case_link(1) == "http://127.0.0.1/desk/cases/1/"
    finally:
        links._guessed_base.cache_clear()


def test_tokens_signed_for_one_purpose_do_not_work_for_the_other(db):
    unsubscribe = links.unsubscribe_link(1, 2).rstrip("/").rsplit("/", 1)[1]
    opt_out = links.opt_out_link("a" * 64, "uk").rstrip("/").rsplit("/", 1)[1]
    assert links.read_unsubscribe(unsubscribe) == (1, 2) and links.read_opt_out(opt_out) == ("a" * 64, "uk")
    assert links.read_opt_out(unsubscribe) is None and links.read_unsubscribe(opt_out) is None
    forged = signing.dumps({"u": 1, "s": 2}, key="not our secret", salt=links.UNSUBSCRIBE_SALT, compress=True)
    assert links.read_unsubscribe(forged) is None
    wrong_shape = signing.dumps({"d": 5, "l": []}, salt=links.OPT_OUT_SALT, compress=True)
    assert links.read_opt_out(wrong_shape) is None
