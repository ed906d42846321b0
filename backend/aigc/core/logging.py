"""Logging: a rotated file in LOG_DIR, a request id on every line, secrets masked before anything is written."""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from logging.handlers import RotatingFileHandler

from pythonjsonlogger.json import JsonFormatter

from aigc.core.config import Settings

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("aigc_request_id", default=None)

LOG_FILE_NAME = "backend.log"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
MASK = "***"

# Shapes that are secret wherever they appear: bearer tokens, JWTs, Anthropic keys, password fields.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-_.=]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    re.compile(r"sk-ant-[A-Za-z0-9\-_]+"),
    re.compile(
        r"(?i)((?:password|passwd|secret|api[_-]?key|token|refresh_token|access_token)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"
    ),
]


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token[str | None]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


class RedactingFilter(logging.Filter):
    """Mask secrets in the final message; known secret values are masked wherever they occur."""

    def __init__(self, known_secrets: list[str] | None = None) -> None:
        super().__init__()
        self._known = [s for s in (known_secrets or []) if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        for secret in self._known:
            text = text.replace(secret, MASK)
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        return True


def _known_secrets(settings: Settings) -> list[str]:
    values = [settings.jwt_secret()]
    for secret in (settings.anthropic_api_key, settings.minio_access_key, settings.minio_secret_key):
        if secret is not None:
            values.append(secret.get_secret_value())
    return values


def configure_logging(settings: Settings, *, to_console: bool = True) -> None:
    """Set up the root logger once per process; safe to call again (handlers are replaced)."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    formatter: logging.Formatter
    if settings.log_json:
        formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        formatter = logging.Formatter(TEXT_FORMAT)

    handlers: list[logging.Handler] = [
        RotatingFileHandler(
            settings.log_dir / LOG_FILE_NAME,
            maxBytes=settings.log_max_bytes,
            backupCount=settings.log_backup_count,
            encoding="utf-8",
        )
    ]
    if to_console:
        handlers.append(logging.StreamHandler(sys.stderr))

    redactor = RedactingFilter(_known_secrets(settings))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        handler.addFilter(redactor)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_aigc", False)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler._aigc = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(settings.log_level)
    # uvicorn's own loggers propagate to ours so that one file holds everything; its access log is
    # replaced by the request middleware, which knows the request id.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
