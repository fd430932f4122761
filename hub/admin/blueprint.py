"""The admin blueprint, its navigation (a capability adds an entry), and its HTML error pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from hub.domain.errors import HubError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: frozenset[str]


class Nav(list[NavEntry]):
    """The menu: each capability adds its pages (they check the roles themselves too)."""

    def add(self, label: str, endpoint: str, roles: frozenset[str]) -> None:
        self.append(NavEntry(label, endpoint, roles))


def make_blueprint() -> tuple[Blueprint, Nav]:
    """A fresh blueprint per app (a blueprint cannot gain routes once registered) and its menu."""
    bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/admin/static")
    nav = Nav()
    bp.register_error_handler(HubError, _hub_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)
    bp.before_request(_before)
    bp.context_processor(lambda: {**_globals(), "nav": nav})
    return bp, nav


def _hub_error(exc: HubError) -> tuple[str, int]:
    return render_template("admin/error.html", status=exc.http_status, message=str(exc),
                           problems=[p.as_dict() for p in exc.problems]), exc.http_status


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    if exc.code and exc.code < 400:
        return exc.get_response()
    return render_template("admin/error.html", status=exc.code, message=exc.description,
                           problems=[]), exc.code or 500


def _unexpected(exc: Exception) -> tuple[str, int]:
    log.exception("unhandled error on an admin page")
    return render_template("admin/error.html", status=500, problems=[],
                           message="the hub hit an unexpected error; it is logged"), 500


def _before() -> None:
    from hub.admin.security import check_csrf
    check_csrf()


def _globals() -> dict[str, object]:
    from hub.admin.security import template_globals
    return template_globals()
