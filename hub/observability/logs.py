"""Logging setup (HUB_LOG_LEVEL, HUB_LOG_FORMAT=json) and one structured line per outcome.

An outcome is logged with `event(logger, "exchange.processed", id=..., ...)`: in text format the
fields follow the message as key=value, in JSON they are keys of the line's object.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_FIELDS = "hub_fields"


def event(logger: logging.Logger, name: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log one line for `name` with its fields (None values left out)."""
    kept = {k: v for k, v in fields.items() if v is not None}
    text = " ".join(f"{k}={v}" for k, v in kept.items())
    logger.log(level, "%s %s", name, text, extra={_FIELDS: {"event": name, **kept}})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                                "level": record.levelname, "logger": record.name}
        fields = getattr(record, _FIELDS, None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class BusyJobFilter(logging.Filter):
    """A job still running when its next tick (or a wake-up) comes is expected under load, not a
    warning: APScheduler's "maximum number of running instances reached" becomes a debug line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and "maximum number of running instances" in record.msg:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Set the root logger's level and format once per process (a second app reuses it)."""
    levels = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    if level.upper() not in levels or fmt not in ("text", "json"):
        raise ValueError(f"HUB_LOG_LEVEL must be one of {', '.join(levels)} (got {level!r}) and "
                         f"HUB_LOG_FORMAT text or json (got {fmt!r})")
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not any(getattr(h, "hub_handler", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.hub_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for existing in root.handlers:
        if getattr(existing, "hub_handler", False):
            existing.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    for noisy in ("alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    busy = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, BusyJobFilter) for f in busy.filters):
        busy.addFilter(BusyJobFilter())
