"""The public formats checked with real parsers, not assumed: Atom with feedparser, JSON-LD with
pyld, JSON Feed against the 1.1 rules.

schema.org's JSON-LD context is not fetched (tests make no outside requests): the loader
serves tests/fixtures/corrections/schemaorg-context.jsonld, the entries of schema.org's
published context that these documents use, as schema.org defines them (its vocabulary
is http://schema.org/).
"""

import json
from pathlib import Path

import feedparser
import pytest
from pyld import jsonld

from corrigo.corrections import services
from tests.desk.conftest import case_about, report

pytestmark = pytest.mark.django_db

CONTEXT = json.loads((Path(__file__).parents[1] / "fixtures/corrections/schemaorg-context.jsonld").read_text())
SCHEMA = "http://schema.org/"


def schema_org_only(url, options=None):
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise jsonld.JsonLdError(f"no outside requests in tests: {url}", "loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


@pytest.fixture
def notices(site, editor):
    first = services.fix_with_notice(case_about("Augest"), kind="correction", text="It is August.", by=editor)
    second = services.fix_with_notice(
        report(exact="islanders", title="Ferry <b>&</b> the island").case,
        kind="retraction",
        text="We retract this: see https://news.example.org/retraction.",
        by=editor,
        minor=False,
    )
    return first, second


def test_the_atom_feed_parses_as_atom_1_0_with_one_entry_per_notice(client, notices):
    first, second = notices
    response = client.get("/corrections/courier/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Corrections and clarifications: The Courier"
    assert feed.feed.language == "en"
    assert [entry.id for entry in feed.entries] == [
        f"http://testserver/corrections/courier/#notice-{second.pk}",
        f"http://testserver/corrections/courier/#notice-{first.pk}",
    ]
    retraction = feed.entries[0]
    assert retraction.title.startswith("Retraction: ")
    assert "retraction" in [tag.term for tag in retraction.tags]
    assert "We retract this" in retraction.summary
    assert retraction.updated_parsed and retraction.published_parsed


def test_the_json_feed_follows_the_1_1_rules(client, notices):
    response = client.get("/corrections/courier/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == "http://testserver/corrections/courier/feed.json"
    assert all(isinstance(author["name"], str) for author in feed["authors"])
    ids = [item["id"] for item in feed["items"]]
    assert len(ids) == len(set(ids)) == 2
    extensions = {"_corrigo"}
    allowed = {
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "content_text",
        "summary",
        "image",
        "banner_image",
        "date_published",
        "date_modified",
        "authors",
        "tags",
        "language",
        "attachments",
    }
    for item in feed["items"]:
        assert isinstance(item["id"], str)
        assert item.get("content_html") or item.get("content_text")  # one of them is required
        assert set(item) - allowed <= extensions and all(key.startswith("_") for key in extensions)
        for stamp in ("date_published", "date_modified"):
            assert item[stamp][10] == "T" and item[stamp].endswith("+00:00")  # RFC 3339


def test_the_jsonld_expands_to_schema_org_terms(client, notices):
    answer = client.get("/api/v1/notices?site=courier&url=https://news.example.org/2026/ferry").json()
    [expanded] = jsonld.expand(answer["jsonld"], {"documentLoader": schema_org_only})
    assert expanded["@type"] == [SCHEMA + "NewsArticle"]
    corrections = expanded[SCHEMA + "correction"]
    assert [c["@type"] for c in corrections] == [[SCHEMA + "CorrectionComment"]] * 2
    for correction, notice in zip(corrections, reversed(notices), strict=True):  # newest first
        assert correction[SCHEMA + "text"] == [{"@value": notice.text}]
        assert correction[SCHEMA + "datePublished"] == [{"@type": SCHEMA + "Date", "@value": notice.published_at.isoformat()}]
