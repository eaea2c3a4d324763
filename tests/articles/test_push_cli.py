"""`corrigo push`: a script or a CMS hook publishes a version through the same service as the API."""

import json

import pytest

from corrigo.anchoring import quote_from_text
from corrigo.articles.models import Article, ArticleVersion
from corrigo.articles.publishing import PublishedText, publish_text
from corrigo.reports.models import Case
from tests.articles.test_push_api import PAGE, URL
from tests.conftest import V1, V2
from tests.test_cli import run

pytestmark = pytest.mark.django_db


def test_push_publishes_a_file_of_html_and_prints_the_answer(site, tmp_path, capsys):
    site.article_selector, site.ignore_selectors = "article .body", ".ad"
    site.save()
    page = tmp_path / "ferry.html"
    page.write_text(PAGE, encoding="utf-8")
    code, out, err = run(["push", "--site", "courier", "--url", URL, "--article-id", "4711", str(page)], capsys)
    assert code == 0, err
    answer = json.loads(out)
    version = ArticleVersion.objects.get(pk=answer["version_id"])
    assert (answer["new"], version.source) == (True, "publisher")
    assert version.text.startswith("The council voted")
    assert Article.objects.get().external_id == "4711"
    assert "a new version" in err


def test_push_of_text_from_stdin_moves_the_open_cases(site, capsys, monkeypatch):
    first = publish_text(site, PublishedText(url=URL, text=V1))
    quote = quote_from_text(V1, V1.index("Augest"), V1.index("Augest") + 6)
    case = Case.objects.create(
        site=site,
        article_id=first.article_id,
        version_id=first.version_id,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
        start=quote.start,
        end=quote.end,
    )
    code, out, _ = run(
        ["push", "--site", "courier", "--url", URL, "--text", "-"], capsys, stdin=V2 + "\n", monkeypatch=monkeypatch
    )
    assert code == 0
    assert json.loads(out)["cases"] == [
        {"id": case.pk, "anchor": {"status": "changed", "start": V2.index("August"), "end": V2.index("August") + 6}}
    ]


def test_push_again_says_corrigo_had_it(site, capsys, monkeypatch):
    run(["push", "--site", "courier", "--url", URL, "--text", "-"], capsys, stdin=V1, monkeypatch=monkeypatch)
    code, out, err = run(["push", "--site", "courier", "--url", URL, "--text", "-"], capsys, stdin=V1, monkeypatch=monkeypatch)
    assert (code, json.loads(out)["new"]) == (0, False)
    assert "already had" in err


@pytest.mark.parametrize(
    ("argv", "stdin", "said"),
    [
        (["--site", "nowhere", "--url", URL, "--text", "-"], V1, "no site"),
        (["--site", "courier", "--url", "ftp://x.example/a", "--text", "-"], V1, "url"),
        (["--site", "courier", "--url", URL, "--text", "-"], "two  spaces", "text model"),
        (["--site", "courier", "--url", URL, "--modified-at", "soon", "--text", "-"], V1, "modified_at"),
        (["--site", "courier", "--url", URL, "-"], "<p>no article here</p>", "article selector"),
        (["--site", "courier", "--url", URL, "/no/such/file.html"], None, "cannot read"),
    ],
)
def test_push_refuses_with_a_reason_and_stores_nothing(site, capsys, monkeypatch, argv, stdin, said):
    site.article_selector = "article .body"
    site.save()
    code, _, err = run(["push", *argv], capsys, stdin=stdin, monkeypatch=monkeypatch if stdin is not None else None)
    assert code == 2
    assert said in err
    assert not ArticleVersion.objects.exists()
