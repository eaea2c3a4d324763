"""`corrigo notice list|withdraw`: the same service as the desk, named in the log, errors in one line."""

import pytest

from corrigo.audit.models import Entry
from corrigo.corrections.models import CorrectionNotice
from tests.conftest import make_user
from tests.test_cli import run


def test_notice_list_shows_the_sites_notices_newest_first(notice, capsys, other_site):
    code, out, _ = run(["notice", "list", "--site", "courier"], capsys)
    assert code == 0
    [line] = out.splitlines()
    assert line.startswith(f"{notice.pk}\t") and "\tcorrection\tpublished\t" in line and "Augest" in line
    code, out, _ = run(["notice", "list", "--site", "gazette"], capsys)
    assert (code, out) == (0, "")


def test_notice_withdraw_takes_it_off_and_the_log_names_who(notice, capsys, site):
    make_user("mira", site, "editor")
    code, out, _ = run(["notice", "withdraw", "--site", "courier", "--as", "mira", str(notice.pk)], capsys)
    assert code == 0 and "Withdrew notice" in out
    assert CorrectionNotice.objects.get().withdrawn
    assert Entry.objects.get(verb="notice.withdraw").message == f"mira withdrew notice {notice.pk}"
    code, _, err = run(["notice", "withdraw", "--site", "courier", str(notice.pk)], capsys)
    assert code == 2 and "already withdrawn" in err


@pytest.mark.parametrize(
    "argv,says",
    [
        (["--site", "gazette", "{id}"], "no notice"),
        (["--site", "courier", "99999"], "no notice"),
        (["--site", "courier", "--as", "otto", "{id}"], "not a member"),
        (["--site", "nowhere", "{id}"], "nowhere"),
    ],
)
def test_notice_withdraw_refuses_in_one_line_and_changes_nothing(notice, capsys, other_site, argv, says):
    make_user("otto", other_site, "editor")
    code, _, err = run(["notice", "withdraw", *[a.replace("{id}", str(notice.pk)) for a in argv]], capsys)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
    assert not CorrectionNotice.objects.get().withdrawn


@pytest.mark.parametrize("number", ["abc", "-1", "0", "1e3", "١٢"])
def test_notice_numbers_that_are_not_numbers_are_refused(notice, capsys, number):
    with pytest.raises(SystemExit):
        run(["notice", "withdraw", "--site", "courier", number], capsys)
    assert not CorrectionNotice.objects.get().withdrawn
