"""Every answer under /api/ is JSON in the one error shape, a lost database included (503 + Retry-After)."""

import json
import subprocess
import urllib.error
import urllib.request

import pytest
from django.db import connection

from corrigo.sites.services import TOKEN_PREFIX
from tests.conftest import ORIGIN, payload
from tests.test_cli import corrigo_env, free_port, start_server, wait_for


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["error"]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/reports", "/api/", "/api/v1/cases/x/y/z"])
def test_an_api_path_that_does_not_exist_is_a_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_page_outside_the_api_keeps_its_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:8000@evil", "a" * 300])
def test_a_host_that_is_not_allowed_is_a_json_400_on_the_api(client, db, host):
    response = client.get("/api/v1/health", HTTP_HOST=host)
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


# ---- losing the database, for real -------------------------------------------


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    process, port = start_server(env)
    return process, f"http://127.0.0.1:{port}"


def answer(request: urllib.request.Request) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def report_request(base: str) -> urllib.request.Request:
    body = json.dumps(payload()).encode()
    return urllib.request.Request(base + "/api/v1/reports", data=body, headers={"Content-Type": "text/plain", "Origin": ORIGIN})


def assert_unavailable(status: int, headers: dict, body: dict) -> None:
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Retry-After"]) > 0
    assert body["error"]["code"] == "unavailable"


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(
            lambda data: {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/corrigo"}, id="postgres-unreachable"
        ),
        pytest.param(lambda data: (data / "corrigo.sqlite3").mkdir() or {}, id="sqlite-unopenable"),
    ],
)
def test_a_database_out_of_reach_is_a_json_503_with_retry_after(tmp_path, broken):
    env = corrigo_env(tmp_path)
    env.update(broken(tmp_path))
    process, base = serve(env)
    try:
        wait_for(base + "/api/v1/openapi.json", process)
        assert_unavailable(*answer(urllib.request.Request(base + "/api/v1/health")))
        assert_unavailable(*answer(urllib.request.Request(base + "/api/v1/ready")))
        try:  # a load balancer polling with HEAD sees the 503 too
            urllib.request.urlopen(urllib.request.Request(base + "/api/v1/health", method="HEAD"), timeout=30)
            raise AssertionError("HEAD /api/v1/health answered 2xx without a database")
        except urllib.error.HTTPError as error:
            assert (error.code, error.headers["Retry-After"]) == (503, "5")
        status, headers, body = answer(report_request(base))
        assert_unavailable(status, headers, body)
        # The widget on the publisher's page must be able to read when to come back.
        assert headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "Retry-After" in headers["Access-Control-Expose-Headers"]
        well_formed = TOKEN_PREFIX + "a" * 43  # looked up in the database, unlike a malformed one
        listing = urllib.request.Request(base + "/api/v1/reports", headers={"Authorization": f"Bearer {well_formed}"})
        assert_unavailable(*answer(listing))
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")
def test_a_backend_killed_mid_report_is_a_json_503_and_the_next_report_is_taken(transactional_db, client, site):
    from corrigo.reports.models import Report

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION corrigo_test_die() RETURNS trigger AS $$"
            " BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER corrigo_test_die BEFORE INSERT ON reports_report FOR EACH ROW EXECUTE FUNCTION corrigo_test_die()"
        )
    try:
        response = client.post("/api/v1/reports", json.dumps(payload()), content_type="application/json", HTTP_ORIGIN=ORIGIN)
        assert response.status_code == 503
        assert error_of(response)["code"] == "unavailable"
        assert int(response["Retry-After"]) > 0
    finally:
        connection.close()  # the killed one
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER corrigo_test_die ON reports_report")
            cursor.execute("DROP FUNCTION corrigo_test_die()")
    assert Report.objects.count() == 0
    response = client.post("/api/v1/reports", json.dumps(payload()), content_type="application/json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201
    assert Report.objects.count() == 1
