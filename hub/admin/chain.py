"""Verifying the audit trail on demand, with the outcome kept as an event the pages show."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from hub.audit.queries import AuditAnchor, TrailVerdict, verify_trail
from hub.audit.service import record_event
from hub.db import transaction

SHOWN_FINDINGS = 10


def verify_and_record(new_session: Callable[[], Session], anchor: AuditAnchor, actor: str) -> TrailVerdict:
    """Seal, check the chain and its checkpoints (`verify_trail`), then record `audit.verified`."""
    verdict = verify_trail(new_session, anchor)
    with new_session() as session, transaction(session):
        record_event(session, actor=actor, action="audit.verified", object_type="audit_chain",
                     object_id="chain", details={
                         "checked": verdict.checked, "checkpoints": verdict.checkpoints,
                         "ok": not verdict.findings, "findings": verdict.findings[:SHOWN_FINDINGS]})
    return verdict
