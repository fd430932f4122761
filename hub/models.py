"""Every table, gathered for Alembic and the tests' schema: each capability defines its own in its
`models.py` (production code imports them from there); this module only imports them, so that one
import puts every table on `hub.db.Base.metadata`. Defines nothing."""

from __future__ import annotations

from hub.admin.models import SignInFailure
from hub.audit.models import AuditEvent
from hub.db import new_id, new_ids
from hub.erp.models import ErpConnector, OutboundDelivery, OutboxEntry
from hub.exchanges.models import StockLevel
from hub.invoicing.models import InvoicedOrderLine, IssuedInvoice
from hub.jobruns.models import JobRun
from hub.numbering.models import IssuedNumber, NumberSeries
from hub.partners.models import ApiCredential, Company, Partner, PartnerIdentifier, User
from hub.procurement.models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    RunLease,
    StagedLine,
    SupplierTerm,
)
from hub.reconciliation.match_models import (
    MatchingRule,
    MatchingTolerance,
    PartnerCredit,
    PayerMapping,
    PaymentAllocation,
    PaymentMatch,
    WriteOff,
)
from hub.reconciliation.models import BankStatement, RemittanceRecord, StatementEntry
from hub.records.models import Document, DocumentLine, Exchange, IdempotencyRecord
from hub.routing.models import BatchMessage, OutboundBatch, RoutingRule

__all__ = [
    "ApiCredential",
    "AuditEvent",
    "BankStatement",
    "BatchMessage",
    "Company",
    "Document",
    "DocumentLine",
    "ErpConnector",
    "Exchange",
    "IdempotencyRecord",
    "InvoicedOrderLine",
    "IssuedInvoice",
    "IssuedNumber",
    "Item",
    "JobRun",
    "MatchingRule",
    "MatchingTolerance",
    "NumberSeries",
    "OutboundBatch",
    "OutboundDelivery",
    "OutboxEntry",
    "Partner",
    "PartnerCredit",
    "PartnerIdentifier",
    "PayerMapping",
    "PaymentAllocation",
    "PaymentMatch",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "RemittanceRecord",
    "ReorderRule",
    "RoutingRule",
    "RunLease",
    "SignInFailure",
    "StagedLine",
    "StatementEntry",
    "StockLevel",
    "SupplierTerm",
    "User",
    "WriteOff",
    "new_id",
    "new_ids",
]
