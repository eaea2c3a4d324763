"""Configuration helpers shared by the settings module and the CLI."""

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """Where Corrigo keeps its SQLite database and generated secrets."""
    path = Path(os.environ.get("CORRIGO_DATA", "corrigo-data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key(data: Path) -> str:
    """CORRIGO_SECRET_KEY, else a key generated once and kept in the data folder."""
    if key := os.environ.get("CORRIGO_SECRET_KEY"):
        return key
    keyfile = data / "secret-key"
    try:
        return keyfile.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        # O_EXCL: when several workers start at once, exactly one writes the key.
        try:
            fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return keyfile.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
