"""Configuration helpers shared by the settings module and the CLI."""

import os
import secrets
import tempfile
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
        pass
    # Write the whole key to a private temporary file, then link it into place: when
    # several workers start at once, exactly one link succeeds and nobody ever reads a
    # half-written key.
    fd, temporary = tempfile.mkstemp(dir=data, prefix=".secret-key-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(temporary, keyfile)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return keyfile.read_text().strip()
