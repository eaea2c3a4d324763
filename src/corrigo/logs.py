"""Structured logs: one JSON object a line, with every IP address taken out (docs/design.md: none is kept).

Used by Django's logging (settings.LOGGING) and by gunicorn's error and access logs
(`corrigo serve` sets `GunicornLogger`), so no line from either carries a client's address.
"""

import ipaddress
import json
import logging
import re
import traceback
from datetime import UTC, datetime

from gunicorn.glogging import Logger

# Candidates only: each is checked by ipaddress, so "12:30:45", "1.2.3" or "deadbeef" stays.
_CANDIDATE = re.compile(r"(?<!\w)[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*(?:%\w+)?(?!\w)")
ADDRESS = "[address]"


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def without_addresses(text: str) -> str:
    def scrub(match: re.Match) -> str:
        token = match.group(0)
        core = token.rstrip(".:")
        if _is_address(core):
            return ADDRESS + token[len(core) :]
        host, _, port = core.rpartition(":")  # 203.0.113.5:443
        if port.isdigit() and "." in host and _is_address(host):
            return f"{ADDRESS}:{port}" + token[len(core) :]
        return token

    return _CANDIDATE.sub(scrub, text)


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", "error"?} with addresses replaced by "[address]"."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": without_addresses(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = without_addresses("".join(traceback.format_exception(*record.exc_info)))
        return json.dumps(entry, ensure_ascii=False)


class GunicornLogger(Logger):
    """gunicorn's logger with every handler it sets up writing JSON lines."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
