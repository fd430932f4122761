"""What the ERP package hands to the capabilities above it, filled by them at start-up
(`hub.create_app`): the use cases for what ERPs post (stock levels, invoices to issue) and the SOAP
services capabilities add beside the outbox service. The ERP package sits below exchanges and
invoicing, so it reaches them only through these, never by an upward import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.domain.errors import HubError

HANDLERS: dict[str, Callable[..., Any]] = {}
SOAP_SERVICES: list[type] = []


class NotServed(HubError):
    code = "NOT_SERVED"
    http_status = 404


def register(**handlers: Callable[..., Any]) -> None:
    HANDLERS.update(handlers)


def register_soap_service(service: type) -> None:
    if service not in SOAP_SERVICES:
        SOAP_SERVICES.append(service)


def _dispatch(name: str, *args: Any, **kwargs: Any) -> Any:
    handler = HANDLERS.get(name)
    if handler is None:
        raise NotServed(f"this hub takes no {name.replace('_', ' ')} from ERPs")
    return handler(*args, **kwargs)


def parse_stock_levels(*args: Any, **kwargs: Any) -> Any:
    return _dispatch("parse_stock_levels", *args, **kwargs)


def record_stock_levels(*args: Any, **kwargs: Any) -> Any:
    return _dispatch("record_stock_levels", *args, **kwargs)


def issue_invoices(*args: Any, **kwargs: Any) -> Any:
    return _dispatch("issue_invoices", *args, **kwargs)
