"""Query-string parsing shared by the API views, with errors a client can act on."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

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


# Ids, cursors and page numbers are 32-bit integer columns or offsets derived from them: a larger
# number can match nothing, and the database refuses it (an overflow, which was a 500).
MAX_INT = 2**31 - 1
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_INT) -> int:
    """An integer query parameter between `minimum` and `maximum`; 400 naming it otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    shown = raw if len(raw) <= 40 else raw[:40] + "..."
    if not _INTEGER.fullmatch(raw):
        raise BadParameter(f"{name} must be an integer, got {shown!r}")
    significant = raw.lstrip("-").lstrip("0")
    value = int(raw) if len(significant) <= 18 else None  # more digits: out of any range here
    if value is None or not minimum <= value <= maximum:
        raise BadParameter(f"{name} must be between {minimum} and {maximum}, got {shown}")
    return value


def paging(max_per_page: int) -> tuple[int, int]:
    """The `page` and `per_page` parameters."""
    return int_arg("page", 1), int_arg("per_page", 50, maximum=max_per_page)


def id_list(body: Any, most: int, *, what: str) -> list[str]:
    """The `ids` of an acknowledgement body `{"ids": [...]}`; 400 naming the fix otherwise."""
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise BadParameter(f'ids: send {{"ids": ["<{what}>", ...]}}')
    if len(ids) > most:
        raise BadParameter(f"ids: at most {most} per call")
    return ids


def json_body() -> Any:
    """The request body as JSON (numbers with a fraction as Decimal); 400 when it is not JSON."""
    try:
        return json.loads(request.get_data(cache=False) or b"null", parse_float=Decimal)
    except ValueError as exc:
        raise BadParameter(f"body: not valid JSON ({exc})") from exc


def amount_of(value: Any, name: str) -> Decimal:
    """A positive amount with at most two decimals, given as a string or a number; 400 naming it."""
    try:
        amount = Decimal(str(value)) if isinstance(value, (str, int, float)) and not isinstance(value, bool) \
            else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("1e15") \
            or amount != amount.quantize(Decimal("0.01")):
        raise BadParameter(f"{name}: a positive amount with at most two decimals, e.g. \"120.50\"")
    return amount
