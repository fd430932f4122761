"""The pages speak the browser's language (English or Portuguese) and show times in the user's zone.

The language follows Accept-Language; the time zone is the browser's own, which `admin.js` keeps in the
`tz` cookie (an unknown zone falls back to UTC). Dates, times and amounts are formatted for the locale
by Babel, through the `when`, `day` and `amount` filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, request
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

LANGUAGES = ("en", "pt")


def mark(text: str) -> str:
    """Mark a word the pages translate when they show it (a role, a direction), for the catalogue."""
    return text


SHOWN_WORDS = (mark("admin"), mark("operator"), mark("auditor"), mark("inbound"), mark("outbound"),
               mark("reprocess"), mark("redeliver"))
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    return request.accept_languages.best_match(LANGUAGES) or "en"


def select_timezone() -> str:
    zone = request.cookies.get("tz", "")
    if zone and len(zone) < 64:
        try:
            ZoneInfo(zone)
            return zone
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return "UTC"


def when(value: datetime | None) -> str:
    """A time in the user's zone, as the locale writes it (medium: 2 Dec 2026, 09:30:12)."""
    return format_datetime(value, "medium") if value else ""


def day(value: date | None) -> str:
    return format_date(value, "medium") if value else ""


def amount(value: Decimal | str | int | None) -> str:
    """An amount as the locale writes it (1,234.50 or 1.234,50), never rounded away."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    exponent = number.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return str(format_decimal(number, format="#,##0." + "0" * places))


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(when=when, day=day, amount=amount)
    app.context_processor(lambda: {"locale": str(get_locale() or "en")})
