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


def host_port_list(name: str) -> frozenset[tuple[str, int]]:
    """A list like "localhost:8000, [::1]:8080, 10.0.0.5:443" as {(host, port)}; ValueError naming a bad entry."""
    entries = set()
    for item in env_list(name, ""):
        host, sep, port = item.rpartition(":")
        if not sep or not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
            raise ValueError(f"{name}: {item!r} is not host:port")
        entries.add((host.strip("[]").lower(), int(port)))
    return frozenset(entries)
