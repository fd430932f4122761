"""An issued invoice or credit note also goes to the ERP connectors that take invoices: kept as an outbound
document of the buyer (beside the file the buyer gets) and queued in the issuing transaction through the
transactional outbox, never back to the ERP connector that posted it.

Which connectors take it is one decision, `erp_targets`: today every active connector whose document
types take invoices (none listed: every type). Routing rules (hub/routing/) replace that function and
nothing else.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.domain.documents import Invoice
from hub.invoicing.models import IssuedInvoice
from hub.models import Document, ErpConnector, Exchange
from hub.services.connectors_admin import handles
from hub.services.erp_inbound import persist_document
from hub.services.outbox import active_connectors, enqueue_documents

CONNECTOR_SOURCE = "connector:"


def erp_targets(session: Session, document: Document, *, posted_by: str | None) -> list[ErpConnector]:
    """The connectors `document` goes to: those that carry its type, less the one that posted it
    (`posted_by` is the invoice's source, `connector:NAME` for an ERP)."""
    poster = posted_by[len(CONNECTOR_SOURCE):] if posted_by and posted_by.startswith(CONNECTOR_SOURCE) \
        else None
    return [row for row in active_connectors(session)
            if handles(row, document.doc_type) and row.name != poster]


def queue_for_erps(session: Session, invoice: IssuedInvoice, doc: Invoice, exchange: Exchange, *,
                   actor: str) -> list[str]:
    """Keep the invoice as a document and queue it for its ERP connectors; their names."""
    document = persist_document(session, doc, exchange=exchange, position=1, partner_id=invoice.buyer_id,
                                direction="outbound", message_ref=invoice.number)
    targets = erp_targets(session, document, posted_by=invoice.source)
    enqueue_documents(session, [document], actor=actor, connectors=targets)
    return [row.name for row in targets]
