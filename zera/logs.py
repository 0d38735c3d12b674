"""Structured (JSON lines) logging that never writes secrets."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# Values that look like credentials are masked wherever they appear in a message.
_SECRET_PATTERNS = [
    re.compile(
        r"(?i)\b(password|passwd|secret|token|authorization|cookie|api[_-]?key)"
        r"(\"?\s*[:=]\s*\"?)([^\s\"',;&]+)"
    ),
    re.compile(r"(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]+"),
]


def redact(text: str) -> str:
    text = _SECRET_PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    return _SECRET_PATTERNS[1].sub(lambda m: f"{m.group(1)} [redacted]", text)


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("request_id", "user_id", "client_id", "job_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library warnings (deprecations at import) become JSON log lines too, not bare stderr text.
    logging.captureWarnings(True)
    # Access logs would repeat every URL (with its query string) at INFO; keep warnings only.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
