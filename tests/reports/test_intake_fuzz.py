"""Property: whatever JSON a client sends to the intake, the answer is a clean 2xx/4xx, never a 500."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrigo.reports.models import Report
from tests.conftest import ORIGIN, payload

FIELDS = [
    "site",
    "url",
    "canonical_url",
    "article_id",
    "title",
    "quote",
    "article_text",
    "suggestion",
    "comment",
    "category",
    "email",
    "language",
    "client_report_id",
]
QUOTE_FIELDS = ["exact", "prefix", "suffix", "start", "end"]

hostile_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)  # every plane, surrogates included
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile_text
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3), max_leaves=8
)


@st.composite
def mutated_reports(draw):
    body = payload()
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            body.pop(field, None)
        else:
            body[field] = draw(json_values)
    if isinstance(body.get("quote"), dict):
        for field in draw(st.lists(st.sampled_from(QUOTE_FIELDS), max_size=3, unique=True)):
            body["quote"][field] = draw(json_values)
    return body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=mutated_reports())
def test_any_mutated_report_gets_a_clean_answer(client, site, body):
    raw = json.dumps(body, ensure_ascii=True, allow_nan=True)  # lone surrogates travel as \ud800 escapes
    response = client.post("/api/v1/reports", raw, content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code in {200, 201, 400, 403, 404}, response.content
    answer = response.json()
    if response.status_code >= 400:
        assert set(answer) == {"error"} and answer["error"]["code"] and answer["error"]["message"]
    else:
        assert Report.objects.filter(uid=answer["id"]).exists()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_any_bytes_get_a_clean_answer(client, site, raw):
    response = client.post("/api/v1/reports", raw, content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert response.status_code in {400, 404}
    assert response.json()["error"]["code"] in {"invalid", "unknown_site"}
