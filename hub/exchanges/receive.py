"""Receiving a partner's file: stored and committed before the partner hears anything."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit.service import record_event
from hub.db import transaction
from hub.domain.errors import HubError, ValidationError
from hub.domain.principals import Principal
from hub.domain.states import Direction, ExchangeState
from hub.exchanges.lifecycle import new_exchange
from hub.exchanges.sniff import Sniffed, clean, sniff
from hub.records.models import Exchange, IdempotencyRecord


class EmptyBody(ValidationError):
    code = "EMPTY_BODY"
    http_status = 400


class UnsupportedContent(ValidationError):
    code = "UNSUPPORTED_CONTENT"
    http_status = 415


class IdempotencyConflict(HubError):
    code = "IDEMPOTENCY_KEY_REUSED"
    http_status = 409


@dataclass(frozen=True)
class Receipt:
    exchange: Exchange
    duplicate_of: str | None = None  # set when the file was already held: nothing new was stored
    reason: str | None = None  # same_bytes | same_interchange | same_idempotency_key


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str | None = None
    filename: str | None = None
    idempotency_key: str | None = None


def receive(session: Session, principal: Principal, upload: Upload) -> Receipt:
    """Store the upload as a new inbound exchange and commit, or return the one already held."""
    assert principal.partner_id is not None
    if not upload.data:
        raise EmptyBody("the request body is empty: send the file as the body or as a multipart file")
    digest = hashlib.sha256(upload.data).hexdigest()
    sniffed = sniff(upload.data)
    if sniffed.syntax == "unknown":
        raise UnsupportedContent(
            "the file is neither EDIFACT (starting with UNA or UNB) nor XML (starting with '<'), "
            f"{'only white space' if not upload.data.strip() else 'starting with ' + _start(upload.data)}"
            "; nothing was stored")
    known, candidates = _already_held(session, principal.partner_id, digest, sniffed,
                                      upload.idempotency_key)
    if known is not None:
        return known
    try:
        failed = [e for e in candidates if e.state == ExchangeState.failed]
        with transaction(session):
            exchange = _store(session, principal.partner_id, principal.actor, upload, digest, sniffed,
                              supersedes=failed)
    except IntegrityError:
        # A concurrent request stored the same file first: answer with its exchange.
        session.rollback()
        known, _ = _already_held(session, principal.partner_id, digest, sniffed,
                                 upload.idempotency_key)
        if known is None:
            raise
        return known
    return Receipt(exchange=exchange)


def receive_part(session: Session, file: Exchange, data: bytes, number: int, *, actor: str
                 ) -> Receipt:
    """Store interchange `number` of a file of several (`file`, the posted exchange) as an
    inbound exchange of its own, or return the one already held with the same bytes or the same
    interchange (a failed one is superseded, as for a posted file). The caller commits."""
    digest = hashlib.sha256(data).hexdigest()
    sniffed = sniff(data)
    known, candidates = _already_held(session, file.partner_id, digest, sniffed, None)
    if known is not None:
        return known
    failed = [e for e in candidates if e.state == ExchangeState.failed]
    name = f"{file.filename or 'file'}#{number}"
    exchange = _store(session, file.partner_id, actor, Upload(data, file.content_type, name),
                      digest, sniffed, supersedes=failed, part=(file.id, number))
    return Receipt(exchange=exchange)


def _already_held(session: Session, partner_id: int, digest: str, sniffed: Sniffed,
                  idempotency_key: str | None) -> tuple[Receipt | None, list[Exchange]]:
    """The receipt of a duplicate, if it is one, and the exchanges sharing bytes or reference."""
    if idempotency_key:
        known = _by_idempotency_key(session, partner_id, idempotency_key, digest)
        if known is not None:
            return known, []
    # One round trip for both kinds of duplicate (same bytes, same interchange reference), as a
    # UNION so each side uses its unique index: an OR would scan all of the partner's exchanges.
    mine = (Exchange.partner_id == partner_id, Exchange.direction == Direction.inbound.value)
    same_bytes_ids = select(Exchange.id).where(*mine, Exchange.sha256 == digest)
    ids = union_all(same_bytes_ids, select(Exchange.id).where(
        *mine, Exchange.dedup_ref == sniffed.dedup_ref)) if sniffed.dedup_ref else same_bytes_ids
    candidates = list(session.scalars(select(Exchange).where(Exchange.id.in_(ids))).all())
    same_bytes = next((e for e in candidates if e.sha256 == digest), None)
    if same_bytes is not None:
        return Receipt(same_bytes, same_bytes.id, "same_bytes"), candidates
    same_ref = next((e for e in candidates if e.state != ExchangeState.failed), None)
    if same_ref is not None:
        return Receipt(same_ref, same_ref.id, "same_interchange"), candidates
    return None, candidates


def _by_idempotency_key(session: Session, partner_id: int, key: str, digest: str) -> Receipt | None:
    record = session.scalars(select(IdempotencyRecord).where(
        IdempotencyRecord.partner_id == partner_id, IdempotencyRecord.key == key)).first()
    if record is None:
        return None
    if record.request_sha256 != digest:
        raise IdempotencyConflict("this Idempotency-Key was already used with a different file")
    original = session.get(Exchange, record.exchange_id)
    assert original is not None
    return Receipt(original, original.id, "same_idempotency_key")


def _store(session: Session, partner_id: int, actor: str, upload: Upload, digest: str,
           sniffed: Sniffed, *, supersedes: list[Exchange],
           part: tuple[str, int] | None = None) -> Exchange:
    _supersede(session, actor, supersedes, sniffed)
    exchange = new_exchange(
        session, Direction.inbound, partner_id, upload.data, state=ExchangeState.received,
        sha256=digest, syntax=sniffed.syntax, doc_type=sniffed.doc_type,
        control_ref=sniffed.control_ref, sender=sniffed.sender, recipient=sniffed.recipient,
        dedup_ref=sniffed.dedup_ref, content_type=clean(upload.content_type, 200),
        filename=clean(upload.filename, 300), part_of=part[0] if part else None,
        part_number=part[1] if part else None)
    if upload.idempotency_key:
        session.add(IdempotencyRecord(partner_id=partner_id, key=upload.idempotency_key,
                                      request_sha256=digest, exchange_id=exchange.id))
    record_event(session, actor=actor, action="exchange.received",
                 object_type="exchange", object_id=exchange.id, partner_id=partner_id,
                 details={"sha256": digest, "size": len(upload.data), "syntax": sniffed.syntax,
                          "type": sniffed.doc_type, "control_ref": sniffed.control_ref,
                          "filename": clean(upload.filename, 300),
                          **({"part_of": part[0], "part_number": part[1]} if part else {})})
    return exchange


def _supersede(session: Session, actor: str, failed: list[Exchange], sniffed: Sniffed) -> None:
    """A corrected re-send of a rejected interchange may reuse its control reference."""
    for exchange in failed:
        exchange.dedup_ref = None
        session.flush()
        record_event(session, actor=actor, action="exchange.superseded",
                     object_type="exchange", object_id=exchange.id,
                     partner_id=exchange.partner_id, details={"control_ref": sniffed.control_ref})


def _start(data: bytes) -> str:
    """The first bytes of a refused file, printable, to say what was sent instead."""
    head = data.lstrip()[:8]
    return repr(head.decode("latin-1"))
