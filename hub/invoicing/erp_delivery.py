"""An issued invoice or credit note also goes to the ERP connectors that take invoices: kept as an outbound
document of the buyer (beside the file the buyer gets) and queued in the issuing transaction through the
transactional outbox, never back to the ERP connector that posted it.

Which connectors take it is one decision, `erp_targets`: the routing rules' (hub/routing/), for a
document the hub itself sends to the buyer; with no rules, every active connector whose document types
take invoices (none listed: every type). A rule set that takes no invoice from the hub sends it to no
ERP (the buyer still gets its file).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.audit.service import record_events
from hub.domain.documents import Invoice
from hub.erp.models import ErpConnector
from hub.erp.service import enqueue_documents
from hub.exchanges.service import store_document
from hub.invoicing.models import IssuedInvoice
from hub.records.models import Document, Exchange
from hub.routing import service as routing_service

CONNECTOR_SOURCE = "connector:"


def erp_targets(session: Session, document: Document, *, posted_by: str | None) -> list[ErpConnector]:
    """The connectors `document` goes to under the routing rules (source: the hub itself; recipient:
    the buyer), less the one that posted it (`posted_by` is the invoice's source, `connector:NAME`)."""
    poster = posted_by[len(CONNECTOR_SOURCE):] if posted_by and posted_by.startswith(CONNECTOR_SOURCE) \
        else None
    chosen = routing_service.connectors_for(session, document.doc_type, None, document.partner_id)
    return [row for row in chosen if row.name != poster]


def queue_for_erps(session: Session, invoice: IssuedInvoice, doc: Invoice, exchange: Exchange, *,
                   actor: str) -> list[str]:
    """Keep the invoice as a document and queue it for its ERP connectors; their names."""
    # the message type is the one the buyer's file carries it in (the exchange's type)
    document, created = store_document(session, doc, exchange_id=exchange.id, partner_id=invoice.buyer_id,
                                        direction="outbound", actor=actor, message_type=exchange.doc_type,
                                        message_ref=invoice.number)
    record_events(session, created)
    targets = erp_targets(session, document, posted_by=invoice.source)
    enqueue_documents(session, [document], actor=actor, connectors=targets)
    return [row.name for row in targets]
