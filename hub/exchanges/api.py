"""REST: partners post files; partners and admins read exchanges."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import select

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import BadParameter, int_arg, paging, time_arg
from hub.db import get_session, new_session
from hub.domain.acknowledgements import AckStatus
from hub.domain.errors import Purged
from hub.exchanges.lifecycle import (
    ExchangeFilter,
    count,
    exchange_as_dict,
    get_visible,
    visible_query,
)
from hub.exchanges.processing import reprocess
from hub.exchanges.receive import Upload, receive
from hub.observability.logs import event
from hub.partners.models import Partner
from hub.records.models import Exchange

bp = Blueprint("exchanges", __name__, url_prefix="/api/v1/exchanges")
log = logging.getLogger("hub.outcomes")


MAX_IDEMPOTENCY_KEY = 200


def _upload_from_request() -> Upload:
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadParameter(f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters")
    if key is not None and not key.isprintable():
        raise BadParameter("Idempotency-Key must be printable text")
    if request.mimetype == "multipart/form-data":
        # The whole body is read (and counted against the limit) before the form parser sees it:
        # a parser cut short by 413 would leave its temporary files behind.
        request.get_data(cache=True)
        file = request.files.get("file") or next(iter(request.files.values()), None)
        if file is not None:
            return Upload(data=file.read(), content_type=file.mimetype or None,
                          filename=file.filename or None, idempotency_key=key)
        return Upload(data=b"", idempotency_key=key)
    return Upload(data=request.get_data(cache=False), content_type=request.content_type,
                  filename=request.headers.get("X-Filename"), idempotency_key=key)


@bp.post("")
@require(Permission.post_files)
def post_exchange() -> tuple[Response, int, dict[str, str]]:
    """Store the posted file; 202 when new, 200 with the original when it is a duplicate."""
    receipt = receive(get_session(), current_principal(), _upload_from_request())
    exchange = receipt.exchange
    event(log, "exchange.received", id=exchange.id, partner_id=exchange.partner_id,
          type=exchange.doc_type, syntax=exchange.syntax, size=exchange.size,
          duplicate_of=receipt.duplicate_of)
    location = url_for("exchanges.get_exchange", exchange_id=exchange.id)
    body: dict[str, object] = {"id": exchange.id, "state": exchange.state,
                               "links": {"self": location}}
    if receipt.duplicate_of:
        body.update(duplicate=True, reason=receipt.reason)
        return jsonify(body), 200, {"Location": location}
    _wake_worker()
    return jsonify(body), 202, {"Location": location}


ACK_FILTERS = frozenset({*(s.value for s in AckStatus), "none"})


def _ack_arg() -> str | None:
    value = request.args.get("ack") or None
    if value is not None and value not in ACK_FILTERS:
        raise BadParameter(f"ack must be one of {', '.join(sorted(ACK_FILTERS))}")
    return value


def _wake_worker() -> None:
    scheduler = current_app.extensions.get("hub.scheduler")
    if scheduler is not None:
        scheduler.wake()


@bp.get("")
@require()
def list_exchanges() -> Response:
    principal = current_principal()
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    flt = ExchangeFilter(state=request.args.get("state"), doc_type=request.args.get("type"),
                         direction=request.args.get("direction"), since=time_arg("since"),
                         until=time_arg("until"), ack_status=_ack_arg(),
                         partner_id=int_arg("partner_id", 0) if request.args.get("partner_id")
                         else None)
    session = get_session()
    stmt = visible_query(principal, flt)
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    ids = {r.partner_id for r in rows}
    partners = {p.id: p for p in session.scalars(select(Partner).where(Partner.id.in_(ids)))}
    return jsonify(items=[exchange_as_dict(r, partners.get(r.partner_id)) for r in rows],
                   page=page, per_page=per_page, total=count(session, stmt))


@bp.get("/<exchange_id>")
@require()
def get_exchange(exchange_id: str) -> Response:
    exchange = get_visible(get_session(), exchange_id, current_principal())
    partner = get_session().get(Partner, exchange.partner_id)
    return jsonify(exchange_as_dict(exchange, partner))


# The partner chooses the stored Content-Type: only EDI and XML types are served as they came,
# anything else (text/html, image/svg+xml, ...) as plain bytes, never rendered by a browser.
SERVED_TYPES = frozenset({"application/edifact", "application/edi-x12", "application/edi-consent",
                          "application/xml", "text/xml"})
RAW_EXTENSIONS = {"edifact": ".edi", "ubl": ".xml", "xml": ".xml"}


def raw_media_type(stored: str | None) -> str:
    """The type the raw bytes are served with: the stored one if EDI or XML, else octet-stream."""
    mimetype = (stored or "").split(";", 1)[0].strip().lower()
    return mimetype if mimetype in SERVED_TYPES else "application/octet-stream"


@bp.get("/<exchange_id>/raw")
@require()
def get_raw(exchange_id: str) -> Response:
    """The bytes as received, as a download that no browser renders or sniffs."""
    return download(get_visible(get_session(), exchange_id, current_principal()))


def raise_if_purged(exchange: Exchange) -> None:
    """A purged exchange's bytes answer 410 naming when they went and the digest that remains."""
    if exchange.purged_at is not None:
        raise Purged(f"the bytes of exchange {exchange.id} were purged on "
                     f"{exchange.purged_at:%Y-%m-%d} by the retention policy; their SHA-256 "
                     f"{exchange.sha256} and size ({exchange.size} bytes) remain")


def download(exchange: Exchange) -> Response:
    """An exchange's bytes as an attachment, typed only as EDI or XML, never sniffed."""
    raise_if_purged(exchange)
    filename = exchange.id + RAW_EXTENSIONS.get(exchange.syntax or "", ".bin")
    return Response(exchange.raw, mimetype=raw_media_type(exchange.content_type),
                    headers={"X-Content-SHA256": exchange.sha256,
                             "X-Content-Type-Options": "nosniff",
                             "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/<exchange_id>/reprocess")
@require(Permission.operate)
def reprocess_exchange(exchange_id: str) -> Response:
    get_visible(get_session(), exchange_id, current_principal())
    get_session().close()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = reprocess(lambda: new_session(app), exchange_id, actor=current_principal().actor,
                      settings=app.config["HUB_SETTINGS"])
    return jsonify(id=exchange_id, state=state, at=datetime.now(UTC).isoformat())
