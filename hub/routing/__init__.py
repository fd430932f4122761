"""Routing: rules (as data) saying which documents go to which ERP connectors and partners, the
decision for each document, and outbound batching of a partner's EDIFACT messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount routing's API."""
    from hub.routing import api

    app.register_blueprint(api.bp)
