"""`corrigo worker`: the real command, on its own SQLite database."""

import sqlite3
import subprocess
import sys
import time

from tests.test_cli import corrigo, corrigo_env


def test_worker_once_runs_what_is_due_and_exits(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    # A job nobody can handle, written as the app would: it must end as a dead letter, not a crash.
    with sqlite3.connect(tmp_path / "corrigo.sqlite3") as db:
        db.execute(
            "INSERT INTO jobs_job (kind, payload, status, key, attempts, run_after, locked_by, last_error, created_at)"
            " VALUES ('nobody.handles', '{}', 'queued', '', 0, '2026-01-01 00:00:00', '', '', '2026-01-01 00:00:00')"
        )
    result = corrigo("worker", "--once", env=env)
    assert result.returncode == 0, result.stderr
    # That job, and each periodic job's first run (the daily digest's check, corrigo.notify).
    with sqlite3.connect(tmp_path / "corrigo.sqlite3") as db:
        ran = db.execute("SELECT count(*) FROM jobs_job WHERE status IN ('done', 'dead')").fetchone()[0]
        status, error = db.execute("SELECT status, last_error FROM jobs_job WHERE kind = 'nobody.handles'").fetchone()
    assert result.stdout.startswith(f"Ran {ran} job")
    assert status == "dead" and "no handler" in error


def test_worker_stops_cleanly_on_sigterm(tmp_path):
    env = corrigo_env(tmp_path)
    assert corrigo("migrate", env=env).returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "corrigo", "worker"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        # It says when it listens for signals; a SIGTERM before that would end it the default way.
        assert "started; stop it with Ctrl+C or SIGTERM" in process.stderr.readline()
        time.sleep(1)
        assert process.poll() is None, "the worker keeps running while there is nothing to do"
        process.terminate()
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
