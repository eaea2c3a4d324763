"""Proof of work (docs/api.md): ALTCHA challenges, single use, per-site modes, and servers with tokens skip it."""

import base64
import hashlib
import json
import uuid

import pytest

from corrigo.reports.challenges import SOFT_LIMIT
from corrigo.reports.models import Report
from corrigo.sites.models import ChallengeMode, Site
from corrigo.sites.services import create_token, set_intake_limits
from tests.conftest import ARTICLE_TEXT, ORIGIN, payload
from tests.reports.test_limits import REDIS_URL, redis_listens


def fetch_challenge(client, site_key="courier", origin=ORIGIN):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.get("/api/v1/challenge", {"site": site_key}, **headers)


def solve(challenge: dict, number: int | None = None) -> str:
    """The widget's work, done the slow way: the number whose SHA-256(salt + number) is the challenge."""
    if number is None:
        number = next(
            n
            for n in range(challenge["maxNumber"] + 1)
            if hashlib.sha256(f"{challenge['salt']}{n}".encode()).hexdigest() == challenge["challenge"]
        )
    fields = {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**fields, "number": number}).encode()).decode()


def post(client, body, remote="192.0.2.10", **headers):
    return client.post(
        "/api/v1/reports", data=json.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN, REMOTE_ADDR=remote, **headers
    )


def words(count):
    return [word for word in dict.fromkeys(ARTICLE_TEXT.replace("\n", " ").split(" ")) if len(word) > 3][:count]


@pytest.fixture(params=["database", "redis"])
def spent_in(request, settings):
    settings.INTAKE_LIMITS = True
    settings.LIMITS_NAMESPACE = f"test-{uuid.uuid4().hex}"
    if request.param == "redis" and not redis_listens():
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL if request.param == "redis" else ""
    return request.param


@pytest.fixture
def always(site):
    set_intake_limits(site, challenge=ChallengeMode.ALWAYS)
    return site


def assert_challenge_required(response):
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "challenge_required"


def test_the_challenge_is_altchas_bound_to_the_site_and_not_cached(client, site):
    response = fetch_challenge(client)
    assert response.status_code == 200
    challenge = response.json()
    assert set(challenge) == {"algorithm", "challenge", "maxNumber", "salt", "signature"}
    assert challenge["algorithm"] == "SHA-256"
    assert "site=courier" in challenge["salt"] and "expires=" in challenge["salt"]
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert fetch_challenge(client).json()["challenge"] != challenge["challenge"]


def test_no_challenge_for_an_unknown_site_or_an_untrusted_page(client, site):
    assert fetch_challenge(client, "nobody").status_code == 404
    refused = fetch_challenge(client, origin="https://evil.example")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def test_always_refuses_a_report_without_a_solution_and_stores_nothing(client, always, spent_in):
    assert_challenge_required(post(client, payload()))
    assert Report.objects.count() == 0


def test_always_takes_a_report_with_a_solution(client, always, spent_in):
    body = payload(altcha=solve(fetch_challenge(client).json()))
    assert post(client, body).status_code == 201


def test_a_solution_is_used_once(client, always, spent_in):
    solution = solve(fetch_challenge(client).json())
    first, second = words(2)
    assert post(client, payload(first, altcha=solution)).status_code == 201
    assert_challenge_required(post(client, payload(second, altcha=solution), remote="192.0.2.11"))
    assert Report.objects.count() == 1


def test_a_wrong_number_or_a_forged_signature_is_refused(client, always, spent_in):
    challenge = fetch_challenge(client).json()
    right = json.loads(base64.b64decode(solve(challenge)))
    wrong = solve(challenge, number=(right["number"] + 1) % (challenge["maxNumber"] + 1))
    assert_challenge_required(post(client, payload(altcha=wrong)))
    forged = dict(challenge, challenge=hashlib.sha256(b"x").hexdigest())
    assert_challenge_required(post(client, payload(altcha=solve(forged, number=0))))


@pytest.mark.parametrize(
    "garbage", ["", "not base64!", base64.b64encode(b"[]").decode(), base64.b64encode(b"{}").decode(), "A" * 4000]
)
def test_garbage_in_place_of_a_solution_is_refused(client, always, spent_in, garbage):
    assert_challenge_required(post(client, payload(altcha=garbage)))


def test_an_overlong_solution_is_invalid(client, always):
    response = post(client, payload(altcha="A" * 4001))
    assert response.status_code == 400
    assert "altcha" in response.json()["error"]["fields"]


def test_another_sites_challenge_does_not_open_this_one(client, always, other_site, spent_in):
    theirs = client.get("/api/v1/challenge", {"site": "gazette"}).json()
    assert_challenge_required(post(client, payload(altcha=solve(theirs))))


def test_auto_asks_a_reader_who_sends_many(client, site, spent_in):
    bodies = [payload(word) for word in words(SOFT_LIMIT + 1)]
    assert [post(client, body).status_code for body in bodies[:SOFT_LIMIT]] == [201] * SOFT_LIMIT
    assert_challenge_required(post(client, bodies[SOFT_LIMIT]))
    bodies[SOFT_LIMIT]["altcha"] = solve(fetch_challenge(client).json())
    assert post(client, bodies[SOFT_LIMIT]).status_code == 201
    assert post(client, payload("islanders"), remote="192.0.2.99").status_code == 201  # another reader: no work


def test_auto_asks_everyone_during_a_flood(client, site, spent_in):
    set_intake_limits(site, reports_per_site_minute=4)  # a flood: over half of it
    answers = [post(client, payload(word), remote=f"192.0.2.{30 + n}").status_code for n, word in enumerate(words(3))]
    assert answers == [201, 201, 403]


def test_off_never_asks(client, site, spent_in):
    set_intake_limits(site, challenge=ChallengeMode.OFF)
    assert {post(client, payload(word)).status_code for word in words(5)} == {201}


def test_a_server_with_the_sites_token_needs_no_work(client, always, spent_in):
    token = create_token(always, "cms")
    assert post(client, payload(), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 201


def test_another_sites_token_does_not_skip_the_work(client, always, other_site, spent_in):
    token = create_token(other_site, "their cms")
    assert_challenge_required(post(client, payload(), HTTP_AUTHORIZATION=f"Bearer {token}"))


def test_the_mode_is_a_site_setting(site):
    with pytest.raises(ValueError, match="challenge"):
        set_intake_limits(site, challenge="sometimes")
    assert Site.objects.get(pk=site.pk).challenge == ChallengeMode.AUTO


@pytest.mark.parametrize(
    "fields",
    [
        {"algorithm": 1, "challenge": [], "number": "x", "salt": None, "signature": {}},
        {"algorithm": "SHA-256", "challenge": "ab", "number": -1, "salt": "a?b=c&", "signature": "cd"},
        {"algorithm": "MD5", "challenge": "ab", "number": 1, "salt": "s", "signature": "cd"},
    ],
)
def test_a_solution_of_the_wrong_shape_is_refused(client, always, spent_in, fields):
    garbage = base64.b64encode(json.dumps(fields).encode()).decode()
    assert_challenge_required(post(client, payload(altcha=garbage)))


def test_an_expired_challenge_is_refused(client, always, spent_in):
    from datetime import UTC, datetime, timedelta

    import altcha

    from corrigo.reports.challenges import _key

    expired = altcha.create_challenge_v1(
        algorithm="SHA-256",
        max_number=50,
        hmac_key=_key(),
        expires=datetime.now(UTC) - timedelta(seconds=1),
        params={"site": "courier"},
    ).to_dict()
    assert_challenge_required(post(client, payload(altcha=solve(expired))))


def test_without_its_redis_a_solution_is_still_spent_once(client, always, settings):
    from tests.reports.test_limits import free_port

    settings.INTAKE_LIMITS = True
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    solution = solve(fetch_challenge(client).json())
    first, second = words(2)
    assert post(client, payload(first, altcha=solution)).status_code == 201
    assert_challenge_required(post(client, payload(second, altcha=solution), remote="192.0.2.11"))
