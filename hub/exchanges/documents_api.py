"""REST: canonical documents as JSON, and rendered in EDIFACT or UBL."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from hub import access, rendering
from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import BadParameter, paging
from hub.db import get_session, transaction
from hub.exchanges import documents, holds
from hub.partners import domain as profiles
from hub.partners.models import Partner
from hub.records.models import Document
from hub.routing import service as routing_service
from hub.routing import to_partners as routing

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


@bp.get("")
@require()
def list_documents() -> Response:
    principal = current_principal()
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    stmt = access.visible(principal, select(Document), Document).order_by(
        Document.created_at.desc(), Document.id)
    for arg, column in (("type", Document.doc_type), ("number", Document.number),
                        ("exchange_id", Document.exchange_id)):
        if request.args.get(arg):
            stmt = stmt.where(column == request.args[arg])
    held = request.args.get("held")
    if held not in (None, "", "true", "false"):
        raise BadParameter(f"held must be true or false, got {held!r}")
    if held:
        stmt = stmt.where(Document.held.is_not(None) if held == "true" else Document.held.is_(None))
    rows = get_session().scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify(items=[documents.summary(r) for r in rows], page=page, per_page=per_page)


@bp.get("/<document_id>")
@require()
def get_document(document_id: str) -> Response:
    principal = current_principal()
    row = documents.get_visible(get_session(), document_id, principal)
    # where routing sent it (rule, connectors, partners): the hub's business, shown to staff only
    route = {} if not access.may(principal, Permission.read_all) else {
        "route": row.route, "batches": routing_service.batches_of(get_session(), row.id)}
    return jsonify(id=row.id, exchange_id=row.exchange_id, message_ref=row.message_ref,
                   message_type=row.message_type, direction=row.direction, test=row.test,
                   held=row.held, flags=row.flags or {}, **route,
                   created_at=row.created_at.isoformat(),
                   document=None if row.purged_at else row.canonical,
                   purged_at=row.purged_at.isoformat() if row.purged_at else None,
                   links={"self": f"/api/v1/documents/{row.id}",
                          "exchange": f"/api/v1/exchanges/{row.exchange_id}",
                          "edifact": f"/api/v1/documents/{row.id}/render?syntax=edifact",
                          "ubl": f"/api/v1/documents/{row.id}/render?syntax=ubl"})


@bp.get("/<document_id>/render")
@require()
def render_document(document_id: str) -> Response:
    """The document rendered for its partner: `syntax=edifact|ubl` (default: the partner's own)."""
    session = get_session()
    row = documents.get_visible(session, document_id, current_principal())
    partner = session.get(Partner, row.partner_id)
    assert partner is not None
    syntax = request.args.get("syntax") or partner.syntax
    if syntax not in rendering.SYNTAXES:
        raise BadParameter(f"syntax must be one of {', '.join(rendering.SYNTAXES)}, got {syntax!r}")
    identity = routing.identity_for(current_app.config["HUB_SETTINGS"], partner)
    out = rendering.render(documents.canonical(row), syntax, profile=profiles.build(partner.profile),
                           identity=identity, control_ref=rendering.preview_control_ref(row.id))
    return Response(out.data, mimetype=out.content_type,
                    headers={"X-Message-Type": out.message_type})


@bp.post("/<document_id>/release")
@require(Permission.operate)
def release_document(document_id: str) -> Response:
    """Release a held document (a changed payee account confirmed): it is routed and queued now."""
    session = get_session()
    with transaction(session):
        documents.get_visible(session, document_id, current_principal())
        row = holds.release(session, document_id, actor=current_principal().actor,
                            settings=current_app.config["HUB_SETTINGS"])
    return jsonify(id=row.id, held=row.held, flags=row.flags)
