"""corrigo backup / restore (SQLite's online backup API): whole, checked copies, taken under load."""

import json
import sqlite3
import threading

import pytest
from django.db import connection

from corrigo.cli import main
from tests.conftest import ORIGIN, payload

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="backup and restore are for SQLite")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def post_report(client) -> None:
    response = client.post("/api/v1/reports", json.dumps(payload()), content_type="application/json", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 201


def count(path, table: str = "reports_report") -> int:
    with sqlite3.connect(path) as database:
        return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@sqlite_only
def test_backup_copies_the_database_and_says_what_it_holds(transactional_db, client, site, capsys, tmp_path):
    post_report(client)
    post_report(client)
    code, out, err = run(capsys, "backup", str(tmp_path / "copy.sqlite3"))
    assert (code, err) == (None, "") or (code, err) == (0, "")
    assert out.startswith("Backed up 2 reports, 1 cases, 1 sites; ")
    assert count(tmp_path / "copy.sqlite3") == 2
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite3"]


@sqlite_only
def test_backup_under_load_is_a_sound_snapshot(transactional_db, site, capsys, tmp_path):
    live = connection.settings_dict["NAME"]
    with sqlite3.connect(live) as database:
        database.execute("CREATE TABLE load_rows (id INTEGER PRIMARY KEY, body TEXT)")
    stop, written = threading.Event(), []

    def write():
        writer = sqlite3.connect(live, timeout=20)
        while not stop.is_set():
            with writer:
                writer.execute("INSERT INTO load_rows (body) VALUES (?)", ("x" * 2000,))
            written.append(1)
        writer.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 200:
            stop.wait(0.01)
        assert run(capsys, "backup", str(tmp_path / "busy.sqlite3"))[0] in (None, 0)
        after_backup = len(written)
    finally:
        stop.set()
        writer.join()
    copied = count(tmp_path / "busy.sqlite3", "load_rows")
    assert 200 <= copied <= after_backup
    assert after_backup < len(written) or stop.is_set()  # the writer was not held up for good


@pytest.mark.parametrize("name", ["exists.sqlite3", "no-such-folder/copy.sqlite3"])
@sqlite_only
def test_backup_refuses_a_path_it_would_clobber_or_cannot_write(db, capsys, tmp_path, name):
    (tmp_path / "exists.sqlite3").write_text("keep me")
    code, out, err = run(capsys, "backup", str(tmp_path / name))
    assert code == 2 and out == ""
    assert err.startswith("corrigo backup: error: ") and err.count("\n") == 1
    assert (tmp_path / "exists.sqlite3").read_text() == "keep me"


@sqlite_only
def test_restore_brings_back_the_backed_up_reports(transactional_db, client, site, capsys, tmp_path):
    post_report(client)
    run(capsys, "backup", str(tmp_path / "one.sqlite3"))
    post_report(client)
    post_report(client)
    code, out, err = run(capsys, "restore", str(tmp_path / "one.sqlite3"))
    assert code in (None, 0), err
    assert out.startswith("Restored 1 reports, 1 cases, 1 sites; ")
    from corrigo.reports.models import Report

    assert Report.objects.count() == 1
    post_report(client)  # the restored database takes reports again
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"not a database at all" * 100, "is not a SQLite database"),
        (None, "is not a Corrigo database"),
        (b"", "is not a Corrigo database"),
    ],
)
@sqlite_only
def test_restore_refuses_what_is_not_a_corrigo_backup_and_keeps_the_data(
    transactional_db, client, site, capsys, tmp_path, content, reason
):
    post_report(client)
    bogus = tmp_path / "bogus.sqlite3"
    if content is None:
        with sqlite3.connect(bogus) as other:
            other.execute("CREATE TABLE notes (body TEXT)")
    else:
        bogus.write_bytes(content)
    code, out, err = run(capsys, "restore", str(bogus))
    assert code == 2 and out == ""
    assert reason in err and err.count("\n") == 1
    from corrigo.reports.models import Report

    assert Report.objects.count() == 1


@sqlite_only
def test_restore_refuses_a_missing_file_and_the_live_database(db, capsys, tmp_path):
    assert "there is no file" in run(capsys, "restore", str(tmp_path / "missing.sqlite3"))[2]
    assert "is the live database itself" in run(capsys, "restore", connection.settings_dict["NAME"])[2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL is backed up with pg_dump")
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_postgresql_backup_and_restore_point_at_pg_dump(db, capsys, tmp_path, command):
    (tmp_path / "old.sqlite3").write_bytes(b"")
    code, out, err = run(capsys, command, str(tmp_path / ("new.sqlite3" if command == "backup" else "old.sqlite3")))
    assert code == 2 and out == ""
    assert err == f"corrigo {command}: error: the database is PostgreSQL: back it up with pg_dump (docs/deploy.md, Backups)\n"
