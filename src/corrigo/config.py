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


def env_seconds(name: str, default: int, high: int = 86400, unit: str = "seconds") -> int:
    """A whole number of seconds (or days: `unit`), 1 to `high`, from the environment; ValueError naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 12 or not 1 <= int(value) <= high:
        raise ValueError(f"{name} must be a whole number of {unit} between 1 and {high}")
    return int(value)


def network_list(name: str, default: str = "") -> tuple:
    """CIDRs or addresses like "10.0.0.0/8, 127.0.0.1, ::1" as ip_network objects; ValueError naming a bad entry."""
    import ipaddress

    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an address or a CIDR such as 10.0.0.0/8 or 2001:db8::/32") from None
    return tuple(networks)


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


SMTP_SCHEMES = {"smtp": (25, False, False), "smtp+starttls": (587, True, False), "smtps": (465, False, True)}


def smtp_settings(url: str) -> dict:
    """CORRIGO_SMTP_URL as Django's EMAIL_* settings; ValueError saying what is wrong.

    smtp://host[:port] (plain, port 25), smtp+starttls://host[:port] (STARTTLS, 587),
    smtps://host[:port] (TLS from the first byte, 465); user:password@ before the host,
    percent-encoded where needed.
    """
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"CORRIGO_SMTP_URL is not a URL: {exc}") from None
    if parts.scheme not in SMTP_SCHEMES:
        raise ValueError("CORRIGO_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
    if not parts.hostname:
        raise ValueError("CORRIGO_SMTP_URL names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("CORRIGO_SMTP_URL is scheme://[user:password@]host[:port], with nothing after the port")
    default_port, starttls, implicit_tls = SMTP_SCHEMES[parts.scheme]
    return {
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
    }


def base_url(value: str) -> str:
    """CORRIGO_BASE_URL without its trailing slash; ValueError unless it is http(s)://host[:port][/path]."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 (reading it checks the port)
    except ValueError as exc:
        raise ValueError(f"CORRIGO_BASE_URL is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ValueError("CORRIGO_BASE_URL must be http(s)://host[:port][/path], e.g. https://corrections.example.org")
    return value.strip().rstrip("/")
