"""Configuration read from the environment and the data folder."""

import multiprocessing

from corrigo.config import secret_key


def _read_key(folder):
    return secret_key(folder)


def test_the_secret_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("CORRIGO_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    assert [p.name for p in tmp_path.iterdir()] == ["secret-key"]  # no temporary files left


def test_workers_starting_together_agree_on_one_key(tmp_path, monkeypatch):
    monkeypatch.delenv("CORRIGO_SECRET_KEY", raising=False)
    with multiprocessing.get_context("fork").Pool(8) as pool:
        keys = pool.map(_read_key, [tmp_path] * 32)
    assert len(set(keys)) == 1 and keys[0]


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIGO_SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret-key").exists()
