"""Members: the one service that makes users and gives roles (CLI, desk and demo), and its rules."""

import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from corrigo.sites.models import Membership
from corrigo.sites.services import MAX_PASSWORD_LENGTH, SiteRuleError, add_member, change_email, change_role, remove_member
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def roles(site):
    return dict(Membership.objects.filter(site=site).values_list("user__username", "role"))


# ---- add_member ----------------------------------------------------------------


def test_a_new_user_is_created_with_a_password_email_and_role(site):
    added = add_member(site, "mira", "editor", password=PASSWORD, email="Mira@NEWSROOM.example")
    assert added.new_user
    user = User.objects.get(username="mira")
    assert user.check_password(PASSWORD) and user.email == "Mira@newsroom.example"
    assert roles(site) == {"mira": "editor"}
    assert added.membership == Membership.objects.get()


def test_an_existing_user_gets_the_role_and_keeps_password_and_email(site, other_site):
    mira = make_user("mira", other_site, "admin", password="the first password")
    User.objects.filter(pk=mira.pk).update(email="mira@gazette.example")
    added = add_member(site, "mira", "viewer", password="another long password", email="evil@example.org")
    assert not added.new_user
    mira.refresh_from_db()
    assert mira.check_password("the first password") and mira.email == "mira@gazette.example"
    assert roles(site) == {"mira": "viewer"} and roles(other_site) == {"mira": "admin"}


def test_an_existing_user_is_found_by_another_unicode_form_of_the_name(site):
    mira = make_user("mira")
    assert add_member(site, "ｍｉｒａ", "viewer").membership.user == mira
    assert User.objects.count() == 1


def test_a_new_user_needs_a_first_password(site):
    with pytest.raises(ValidationError) as error:
        add_member(site, "hal", "editor")
    assert error.value.message_dict == {"password": ["There is no user 'hal': give a first password to create one."]}
    assert not User.objects.exists() and not Membership.objects.exists()


@pytest.mark.parametrize(
    "username",
    ["<script>", "a b", "", "x" * 151, "mira\n", "mira\x00", "mi\ud800ra", "../../etc/passwd", "mira;DROP TABLE auth_user"],
)
def test_a_user_name_django_would_refuse_is_refused(site, username):
    with pytest.raises(ValidationError) as error:
        add_member(site, username, "editor", password=PASSWORD)
    assert list(error.value.message_dict) == ["username"]
    assert not User.objects.exists() and not Membership.objects.exists()


@pytest.mark.parametrize(
    "password,message",
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("mira123", "too similar to the username"),
        ("12345678901234", "entirely numeric"),
        ("p" * (MAX_PASSWORD_LENGTH + 1), f"longer than {MAX_PASSWORD_LENGTH}"),
        ("a long passphrase \ud800", "unpaired surrogate"),
    ],
)
def test_a_weak_or_unusable_password_is_refused(site, password, message):
    with pytest.raises(ValidationError) as error:
        add_member(site, "mira", "editor", password=password)
    assert list(error.value.message_dict) == ["password"]
    assert message in " ".join(error.value.messages)
    assert not User.objects.exists() and not Membership.objects.exists()


@pytest.mark.parametrize("email", ["not-an-address", "mira@", "m" * 300 + "@example.org", "mira@example.org\n", "<a>@x.org"])
def test_a_bad_email_address_is_refused(site, email):
    with pytest.raises(ValidationError) as error:
        add_member(site, "mira", "editor", password=PASSWORD, email=email)
    assert list(error.value.message_dict) == ["email"]
    assert not User.objects.exists()


@pytest.mark.parametrize("role", ["owner", "Admin", "", "admin ", None])
def test_an_unknown_role_creates_no_user(site, role):
    with pytest.raises(ValueError, match="is not a valid Role"):
        add_member(site, "mira", role, password=PASSWORD)
    assert not User.objects.exists()


def test_adding_the_only_admin_again_as_viewer_is_refused(site):
    make_user("ada", site, "admin")
    with pytest.raises(SiteRuleError, match="at least one admin"):
        add_member(site, "ada", "viewer")
    assert roles(site) == {"ada": "admin"}


# ---- change_role and remove_member -----------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_change_role_gives_a_role(site, role):
    user = make_user("mira")
    assert change_role(site, user, role).role == role
    assert list(Membership.objects.values_list("user__username", "site__key", "role")) == [("mira", "courier", role)]


def test_a_second_role_replaces_the_first(site):
    user = make_user("mira", site, "viewer")
    change_role(site, user, "admin")
    assert list(Membership.objects.values_list("role", flat=True)) == ["admin"]


def test_roles_on_two_sites_are_separate(site, other_site):
    user = make_user("mira", site, "admin")
    change_role(other_site, user, "viewer")
    assert dict(Membership.objects.values_list("site__key", "role")) == {"courier": "admin", "gazette": "viewer"}


@pytest.mark.parametrize("role", ["owner", "Admin", "", "admin ", None])
def test_an_unknown_role_is_refused_and_nothing_changes(site, role):
    user = make_user("mira", site, "viewer")
    with pytest.raises(ValueError, match="is not a valid Role"):
        change_role(site, user, role)
    assert list(Membership.objects.values_list("role", flat=True)) == ["viewer"]


def test_the_last_admin_cannot_step_down_or_leave(site):
    ada = make_user("ada", site, "admin")
    for change in (lambda: change_role(site, ada, "editor"), lambda: remove_member(site, ada)):
        with pytest.raises(SiteRuleError, match=r"A site needs at least one admin: make someone else admin first\."):
            change()
    assert roles(site) == {"ada": "admin"}


def test_an_admin_may_step_down_once_there_is_another(site, other_site):
    ada = make_user("ada", site, "admin")
    make_user("otto", other_site, "admin")  # an admin of another site does not count
    with pytest.raises(SiteRuleError):
        change_role(site, ada, "editor")
    make_user("bea", site, "admin")
    change_role(site, ada, "editor")
    assert roles(site) == {"ada": "editor", "bea": "admin"}


def test_removing_a_member_keeps_their_account(site, other_site):
    mira = make_user("mira", site, "editor")
    change_role(other_site, mira, "viewer")
    remove_member(site, mira)
    assert roles(site) == {} and roles(other_site) == {"mira": "viewer"}
    assert User.objects.filter(username="mira").exists()


def test_removing_someone_who_is_not_a_member_changes_nothing(site, other_site):
    otto = make_user("otto", other_site, "admin")
    remove_member(site, otto)
    assert roles(other_site) == {"otto": "admin"}


@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_down_at_once_leave_one_admin(site):
    """The second demotion waits for the first to commit, then sees it would leave no admin."""
    ada, bea = make_user("ada", site, "admin"), make_user("bea", site, "admin")
    first_done, release, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                change_role(site, ada, "editor")
                first_done.set()
                release.wait(timeout=10)  # hold the transaction open while the second one starts
        finally:
            connection.close()

    def second():
        try:
            change_role(site, bea, "editor")
            outcome["second"] = "demoted"
        except SiteRuleError:
            outcome["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_done.wait(timeout=10)
    threads[1].start()
    threads[1].join(timeout=0.5)  # a second demotion that does not wait would be done by now
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"second": "refused"}
    assert roles(site) == {"ada": "editor", "bea": "admin"}


# ---- change_email (the CLI's --email) -------------------------------------------


def test_change_email_sets_a_checked_address(site):
    mira = make_user("mira", site, "editor")
    change_email(mira, "mira@NEWSROOM.example")
    assert User.objects.get(pk=mira.pk).email == "mira@newsroom.example"


@pytest.mark.parametrize("email", ["not-an-address", "m" * 300 + "@example.org", "mira@example.org\x00"])
def test_change_email_refuses_a_bad_address_and_keeps_the_old_one(site, email):
    mira = make_user("mira", site, "editor")
    User.objects.filter(pk=mira.pk).update(email="mira@newsroom.example")
    mira.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        change_email(mira, email)
    assert list(error.value.message_dict) == ["email"]
    assert User.objects.get(pk=mira.pk).email == "mira@newsroom.example"


def test_member_changes_are_logged_with_who_made_them_whichever_door_they_came_through(site):
    from django.contrib.auth.models import User

    from corrigo.audit.models import Entry
    from corrigo.sites.services import add_member, change_role, remove_member

    ada = User.objects.create_user("ada")
    add_member(site, "mira", "editor", password="a long test password", by=ada)  # the desk
    mira = User.objects.get(username="mira")
    change_role(site, mira, "editor")  # unchanged: nothing to log
    change_role(site, mira, "viewer")  # the CLI: Corrigo itself
    remove_member(site, mira, by=ada)
    lines = list(Entry.objects.filter(site=site).order_by("pk").values_list("verb", "actor_name", "before", "after"))
    assert lines == [
        ("member.add", "ada", "", "editor"),
        ("member.role", "Corrigo", "editor", "viewer"),
        ("member.remove", "ada", "viewer", ""),
    ]
