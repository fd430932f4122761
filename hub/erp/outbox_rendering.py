"""The `rendered` file a polling ERP gets beside the canonical JSON.

Documents are queued without a file (rendering thousands at queue time would slow every big
interchange for ERPs that may never ask); the first fetch renders each one in the syntax it came in
(EDIFACT, or UBL for XML) and keeps it on the outbox entry, so later fetches hand out the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import rendering
from hub.config import Settings
from hub.domain import codec
from hub.domain.errors import HubError
from hub.erp.models import ErpConnector, OutboxEntry
from hub.partners import domain as profiles
from hub.records.models import Document, Exchange

log = logging.getLogger(__name__)


def render_missing(session: Session, connector: ErpConnector,
                   items: Sequence[tuple[OutboxEntry, Document]], settings: Settings) -> None:
    """Give every entry without a file its document rendered; one that has no rendering stays
    without (logged). Flushes nothing itself: the caller's transaction keeps the bytes."""
    missing = [(e, d) for e, d in items if e.payload is None]
    if not missing:
        return
    syntaxes: dict[str, str] = {row[0]: row[1] for row in session.execute(
        select(Exchange.id, Exchange.syntax).where(
            Exchange.id.in_({d.exchange_id for _, d in missing})))}
    identity = rendering.Identity(settings.hub_edi_id, settings.hub_edi_qualifier,
                                  connector.name[:35], "ZZ")
    for entry, document in missing:
        syntax = "ubl" if syntaxes.get(document.exchange_id) == "xml" else "edifact"
        try:
            out = rendering.render(codec.from_dict(document.canonical), syntax,
                                   profile=profiles.build(None), identity=identity,
                                   control_ref=rendering.preview_control_ref(document.id), check=False)
        except HubError as exc:
            log.warning("document %s has no %s rendering for connector %s: %s", document.id, syntax,
                        connector.name, exc.message)
            continue
        entry.payload, entry.content_type = out.data, out.content_type
