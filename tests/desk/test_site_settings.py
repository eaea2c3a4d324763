"""Site settings for admins: selectors, origins, members and roles, tokens, the embed snippet."""

import pytest
from django.urls import reverse

from corrigo.sites.models import ApiToken, Membership, Site, hash_token
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def settings_url(site, name="desk:site-settings", *args):
    return reverse(name, args=[site.key, *args])


def test_admin_saves_selectors_and_language(as_user, admin, site):
    response = as_user(admin).post(
        settings_url(site, "desk:site-save"),
        {
            "name": "The Courier",
            "article_selector": "article .body",
            "ignore_selectors": ".ad, .teaser",
            "default_language": "uk",
        },
    )
    assert response.status_code == 302
    stored = Site.objects.get(pk=site.pk)
    assert (stored.article_selector, stored.ignore_selectors, stored.default_language) == ("article .body", ".ad, .teaser", "uk")


def test_admin_replaces_allowed_origins(as_user, admin, site):
    response = as_user(admin).post(
        settings_url(site, "desk:site-origins"), {"origins": "https://a.example.org/\nhttps://B.example.org:8443\n"}
    )
    assert response.status_code == 302
    assert sorted(Site.objects.get(pk=site.pk).origins) == ["https://a.example.org", "https://b.example.org:8443"]


def test_bad_origin_is_refused_and_nothing_changes(as_user, admin, site):
    before = sorted(site.origins)
    response = as_user(admin).post(
        settings_url(site, "desk:site-origins"), {"origins": "https://ok.example.org\njavascript:alert(1)"}
    )
    assert response.status_code == 400
    assert "Not an http(s) origin: javascript:alert(1)" in response.content.decode()
    assert sorted(Site.objects.get(pk=site.pk).origins) == before


def test_admin_adds_an_existing_user_and_a_new_one(as_user, admin, site):
    make_user("frida")
    client = as_user(admin)
    assert client.post(settings_url(site, "desk:member-add"), {"username": "frida", "role": "viewer"}).status_code == 302
    response = client.post(
        settings_url(site, "desk:member-add"), {"username": "gus", "role": "editor", "password": "a fine long password"}
    )
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(site=site).values_list("user__username", "role"))
    assert roles == {"ada": "admin", "frida": "viewer", "gus": "editor"}
    from django.contrib.auth.models import User

    assert User.objects.get(username="gus").check_password("a fine long password")


@pytest.mark.parametrize("username", ["<script>", "a b", "x" * 151])
def test_a_new_user_name_follows_the_clis_rule(as_user, admin, site, username):
    from django.contrib.auth.models import User

    response = as_user(admin).post(
        settings_url(site, "desk:member-add"), {"username": username, "role": "editor", "password": "a fine long password"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username=username).exists()


def test_new_user_needs_a_password(as_user, admin, site):
    response = as_user(admin).post(settings_url(site, "desk:member-add"), {"username": "hal", "role": "editor"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="hal").exists()


def test_admin_changes_a_role_and_removes_a_member(as_user, admin, editor, site):
    client = as_user(admin)
    assert client.post(settings_url(site, "desk:member-role", editor.pk), {"role": "viewer"}).status_code == 302
    assert Membership.objects.get(user=editor).role == "viewer"
    assert client.post(settings_url(site, "desk:member-remove", editor.pk)).status_code == 302
    assert not Membership.objects.filter(user=editor).exists()


def test_the_last_admin_cannot_leave(as_user, admin, site):
    client = as_user(admin)
    client.post(settings_url(site, "desk:member-role", admin.pk), {"role": "editor"})
    client.post(settings_url(site, "desk:member-remove", admin.pk))
    assert Membership.objects.get(user=admin).role == "admin"
    messages = [str(m) for m in client.get(settings_url(site)).context["messages"]]
    assert messages == ["A site needs at least one admin: make someone else admin first."] * 2


def test_token_is_shown_once_and_works_until_revoked(as_user, admin, site):
    client = as_user(admin)
    response = client.post(settings_url(site, "desk:token-new"), {"name": "newsroom feed", "scopes": ["read"]})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["new_token"]
    assert token.startswith("crg_") and token in response.content.decode()
    stored = ApiToken.objects.get()
    assert stored.digest == hash_token(token) and stored.name == "newsroom feed" and stored.created_by == admin
    assert not stored.can_see_email
    # Never again: the settings page shows only its first characters.
    assert token not in client.get(settings_url(site)).content.decode()
    api = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200

    assert client.post(settings_url(site, "desk:token-revoke", stored.pk)).status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_gets_the_scopes_ticked_and_the_page_shows_them(as_user, admin, site):
    client = as_user(admin)
    response = client.post(settings_url(site, "desk:token-new"), {"name": "cms", "scopes": ["publish", "triage"]})
    assert response.status_code == 200
    assert ApiToken.objects.get().scope_list == ["publish", "triage"]
    assert "publish, triage" in client.get(settings_url(site)).content.decode()


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "root"]])
def test_a_token_without_a_known_scope_is_refused_with_the_form_again(as_user, admin, site, scopes):
    response = as_user(admin).post(settings_url(site, "desk:token-new"), {"name": "x", "scopes": scopes})
    assert response.status_code == 400
    assert response.context["token_form"].errors["scopes"]
    assert not ApiToken.objects.exists()


def test_token_of_another_site_cannot_be_revoked_here(as_user, admin, site, other_site):
    from corrigo.sites.services import create_token

    create_token(other_site, "theirs")
    theirs = ApiToken.objects.get()
    assert as_user(admin).post(settings_url(site, "desk:token-revoke", theirs.pk)).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def _embed_tag(html: str) -> dict:
    """The attributes of the script tag an admin copies from the settings page."""
    from selectolax.lexbor import LexborHTMLParser

    snippet = LexborHTMLParser(html).css_first("#embed-snippet").text()
    [script] = LexborHTMLParser(snippet).css("script")
    return dict(script.attributes)


def test_embed_snippet_names_the_site_and_its_selectors(as_user, admin, site):
    Site.objects.filter(pk=site.pk).update(article_selector="article .body", ignore_selectors=".ad", default_language="uk")
    html = as_user(admin).get(settings_url(site)).content.decode()
    assert _embed_tag(html) == {
        "async": None,
        "src": "http://testserver/widget.js",
        "data-site": "courier",
        "data-article": "article .body",
        "data-ignore": ".ad",
        "data-lang": "uk",
    }


def test_embed_snippet_keeps_quotes_and_ampersands_in_selectors_intact(as_user, admin, site):
    # Pasted into a page, the tag must give the widget these selectors back, not a broken attribute.
    article = 'main [data-role="story & more"]'
    ignore = "aside[title='a\"b'], .ad"
    Site.objects.filter(pk=site.pk).update(article_selector=article, ignore_selectors=ignore)
    tag = _embed_tag(as_user(admin).get(settings_url(site)).content.decode())
    assert (tag["data-article"], tag["data-ignore"]) == (article, ignore)
    assert set(tag) == {"async", "src", "data-site", "data-article", "data-ignore", "data-lang"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("article_selector", "article <<<"),
        ("article_selector", ":is("),
        ("ignore_selectors", ".ad,"),
        ("ignore_selectors", "div::before"),
        ("default_language", "english please"),
        ("default_language", "<script>"),
        ("default_language", "x"),
    ],
)
def test_site_settings_the_widget_could_not_use_are_refused(as_user, admin, site, field, value):
    data = {"name": "The Courier", "article_selector": "article", "ignore_selectors": ".ad", "default_language": "en"}
    response = as_user(admin).post(settings_url(site, "desk:site-save"), {**data, field: value})
    assert response.status_code == 400
    stored = Site.objects.get(pk=site.pk)
    assert (stored.article_selector, stored.ignore_selectors, stored.default_language) == ("", "", "en")


def test_site_settings_with_a_nul_byte_are_refused(as_user, admin, site):
    data = {"name": "The\x00Courier", "article_selector": "article", "ignore_selectors": "", "default_language": "en"}
    assert as_user(admin).post(settings_url(site, "desk:site-save"), data).status_code == 400
    assert Site.objects.get(pk=site.pk).name == "The Courier"


def test_a_new_members_password_longer_than_the_clis_limit_is_refused(as_user, admin, site):
    from django.contrib.auth.models import User

    from corrigo.sites.services import MAX_PASSWORD_LENGTH

    data = {"username": "gus", "role": "editor", "password": "p" * (MAX_PASSWORD_LENGTH + 1)}
    assert as_user(admin).post(settings_url(site, "desk:member-add"), data).status_code == 400
    assert not User.objects.filter(username="gus").exists()


def test_adding_an_existing_user_by_another_unicode_form_of_the_name_finds_that_user(as_user, admin, site):
    mira = make_user("mira", password="the first password")
    response = as_user(admin).post(
        settings_url(site, "desk:member-add"), {"username": "ｍｉｒａ", "role": "viewer", "password": "another long password"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(site=site, user=mira).role == "viewer"
    mira.refresh_from_db()
    assert mira.check_password("the first password")


# ---- adding members: the form's defaults, and hostile input ---------------------


def _add_member_form(html: str):
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(html).css_first("form[action$='/members/']")


def test_add_a_member_offers_the_least_role_first(as_user, admin, site):
    form = _add_member_form(as_user(admin).get(settings_url(site)).content.decode())
    selected = [option.attributes["value"] for option in form.css("select[name=role] option") if "selected" in option.attributes]
    assert selected == ["viewer"]
    assert {field.attributes["name"] for field in form.css("input, select")} >= {"username", "role", "email", "password"}


def test_a_new_member_gets_the_email_address_given(as_user, admin, site):
    from django.contrib.auth.models import User

    data = {"username": "gus", "role": "viewer", "email": "gus@newsroom.example", "password": "a fine long password"}
    response = as_user(admin).post(settings_url(site, "desk:member-add"), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["gus is now viewer."]
    assert User.objects.get(username="gus").email == "gus@newsroom.example"


def test_an_existing_users_password_and_email_are_not_an_admins_to_change(as_user, admin, site, other_site):
    from django.contrib.auth.models import User

    otto = make_user("otto", other_site, "admin", password="otto's own password")
    User.objects.filter(pk=otto.pk).update(email="otto@gazette.example")
    data = {"username": "otto", "role": "editor", "email": "ada@courier.example", "password": "a password ada knows"}
    response = as_user(admin).post(settings_url(site, "desk:member-add"), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "otto already has an account, so the password and email given were not used: otto is now editor."
    ]
    otto.refresh_from_db()
    assert otto.check_password("otto's own password") and otto.email == "otto@gazette.example"
    assert Membership.objects.get(site=site, user=otto).role == "editor"


def test_a_weak_first_password_is_refused_with_the_reason(as_user, admin, site):
    from django.contrib.auth.models import User

    response = as_user(admin).post(
        settings_url(site, "desk:member-add"), {"username": "gus", "role": "viewer", "password": "gus"}
    )
    assert response.status_code == 400
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(username="gus").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"username": "gus\x00", "role": "viewer", "password": "a fine long password"},
        {"username": "gus", "role": "owner", "password": "a fine long password"},
        {"username": "gus", "role": "admin\x00", "password": "a fine long password"},
        {"username": "gus", "role": "", "password": "a fine long password"},
        {"username": "gus", "password": "a fine long password"},
        {"username": "", "role": "viewer", "password": "a fine long password"},
        {"username": "gus", "role": "viewer", "email": "not-an-address", "password": "a fine long password"},
        {"username": "gus", "role": "viewer", "email": "gus@example.org\x00", "password": "a fine long password"},
        {"username": "gus", "role": "viewer", "email": "g" * 250 + "@example.org", "password": "a fine long password"},
        {"username": "gus", "role": "viewer", "password": "a fine long \x00password"},
        {"username": "gus", "role": "viewer", "password": "       "},
        {"username": "<img src=x onerror=alert(1)>", "role": "viewer", "password": "a fine long password"},
    ],
)
def test_hostile_member_input_is_a_400_and_stores_nothing(as_user, admin, site, data):
    from django.contrib.auth.models import User

    response = as_user(admin).post(settings_url(site, "desk:member-add"), data)
    assert response.status_code == 400
    assert "<img src=x" not in response.content.decode()  # shown escaped, if at all
    assert list(User.objects.values_list("username", flat=True)) == ["ada"]
    assert roles_of(site) == {"ada": "admin"}


def test_member_input_that_is_not_a_form_is_a_400(as_user, admin, site):
    response = as_user(admin).post(
        settings_url(site, "desk:member-add"), b'{"username": "gus", "role": "admin"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert roles_of(site) == {"ada": "admin"}


@pytest.mark.parametrize("role", ["owner", "", "admin\x00", "ADMIN"])
def test_an_unknown_role_change_is_a_400(as_user, admin, editor, site, role):
    response = as_user(admin).post(settings_url(site, "desk:member-role", editor.pk), {"role": role})
    assert response.status_code == 400
    assert Membership.objects.get(user=editor).role == "editor"


def test_changing_the_role_of_someone_not_on_this_site_is_a_404(as_user, admin, site, other_site):
    otto = make_user("otto", other_site, "admin")
    client = as_user(admin)
    assert client.post(settings_url(site, "desk:member-role", otto.pk), {"role": "viewer"}).status_code == 404
    assert client.post(settings_url(site, "desk:member-remove", otto.pk)).status_code == 404
    assert Membership.objects.get(user=otto).role == "admin"


def roles_of(site):
    return dict(Membership.objects.filter(site=site).values_list("user__username", "role"))


SITE_FORM = {"name": "The Courier", "article_selector": "", "ignore_selectors": "", "default_language": "en"}


def test_admin_sets_answer_times_per_category(as_user, admin, site):
    response = as_user(admin).post(
        settings_url(site, "desk:site-save"),
        {**SITE_FORM, "sla_fact_hours": "12", "sla_typo_hours": "", "sla_other_hours": "168"},
    )
    assert response.status_code == 302
    stored = Site.objects.get(pk=site.pk)
    assert (stored.sla_fact_hours, stored.sla_typo_hours, stored.sla_other_hours) == (12, None, 168)
    assert (stored.sla_hours("fact"), stored.sla_hours("typo"), stored.sla_hours("other"), stored.sla_hours("")) == (
        12,
        None,
        168,
        168,
    )


@pytest.mark.parametrize("hours", ["0", "-5", "8785", "1e3", "twelve", "9" * 30, "\x00"])
def test_an_answer_time_out_of_range_is_refused(as_user, admin, site, hours):
    response = as_user(admin).post(settings_url(site, "desk:site-save"), {**SITE_FORM, "sla_fact_hours": hours})
    assert response.status_code == 400
    assert Site.objects.get(pk=site.pk).sla_fact_hours == 24


def test_the_page_names_the_site_once(as_user, admin, site):
    Site.objects.filter(pk=site.pk).update(name="The Coastline Courier (demo)", key="demo")
    html = as_user(admin).get(reverse("desk:site-settings", args=["demo"])).content.decode()
    assert "(demo) (demo)" not in html
    assert "<h1>The Coastline Courier (demo)</h1>" in html
    assert "Site key <code>demo</code>" in html


def test_admin_changes_the_sites_intake_limits(as_user, admin, site):
    response = as_user(admin).post(
        settings_url(site, "desk:site-save"),
        {**SITE_FORM, "reports_per_client_minute": "2", "reports_per_client_hour": "", "reports_per_site_minute": "0"},
    )
    assert response.status_code == 302
    stored = Site.objects.get(pk=site.pk)
    assert (stored.reports_per_client_minute, stored.reports_per_client_hour, stored.reports_per_site_minute) == (2, 30, 0)


@pytest.mark.parametrize("value", ["-1", "1000001", "many"])
def test_an_impossible_intake_limit_is_refused(as_user, admin, site, value):
    response = as_user(admin).post(settings_url(site, "desk:site-save"), {**SITE_FORM, "reports_per_client_minute": value})
    assert response.status_code == 400
    assert Site.objects.get(pk=site.pk).reports_per_client_minute == 5
