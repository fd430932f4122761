"""Query-string parsing shared by the API views, with errors a client can act on."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request

from hub.domain.errors import ValidationError


class BadParameter(ValidationError):
    code = "BAD_PARAMETER"
    http_status = 400


def time_arg(name: str) -> datetime | None:
    """An ISO 8601 time; a value without a zone is taken as UTC."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadParameter(f"{name} must be an ISO 8601 time, got {raw!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadParameter(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise BadParameter(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def paging(max_per_page: int) -> tuple[int, int]:
    return int_arg("page", 1), int_arg("per_page", 50, maximum=max_per_page)
