"""Desk fixtures: members of each role, and cases made through the real intake service."""

import pytest

from tests.conftest import ARTICLE_TEXT, make_user, payload


@pytest.fixture
def viewer(site):
    return make_user("vera", site, "viewer")


@pytest.fixture
def admin(site):
    return make_user("ada", site, "admin")


@pytest.fixture
def outsider(other_site):
    """An editor of another site: the courier's cases do not exist for them."""
    return make_user("otto", other_site, "editor")


def report(site_key="courier", exact="Augest", text=ARTICLE_TEXT, **fields):
    """Send a report through intake (schema + submit_report), as the public API does."""
    from corrigo.reports.models import Report
    from corrigo.reports.schemas import ReportIn
    from corrigo.reports.services import submit_report
    from corrigo.sites.models import Site

    body = payload(exact, text, **fields)
    body["site"] = site_key
    submission = submit_report(Site.objects.get(key=site_key), ReportIn.model_validate(body))
    return Report.objects.select_related("case").get(uid=submission.uid)


def case_about(exact="Augest", **fields):
    return report(exact=exact, **fields).case


@pytest.fixture
def case(site):
    from corrigo.reports.models import Case

    return Case.objects.get(pk=case_about().pk)


@pytest.fixture
def foreign_case(other_site):
    from corrigo.reports.models import Case

    return Case.objects.get(pk=report("gazette", exact="ferry").case_id)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
