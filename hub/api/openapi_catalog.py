"""What the URL map cannot tell about each operation: who may call it, its query parameters, its
body and its answers. Keyed by Flask endpoint; `hub.api.openapi` refuses a route without an entry
and an entry without a route, so the description and the code cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PAGE = (("page", "integer", "page number, from 1"), ("per_page", "integer", "items per page"))
TIMES = (("since", "date-time", "from this time (ISO 8601; UTC when no zone)"),
         ("until", "date-time", "before this time (ISO 8601)"))
IDS_BODY: dict[str, Any] = {"type": "object", "required": ["ids"], "properties": {
    "ids": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 500}}}
ROWS_BODY: dict[str, Any] = {"type": "object", "required": ["rows"], "properties": {
    "rows": {"type": "array", "items": {"type": "object"}}}}
SPLIT_BODY: dict[str, Any] = {"type": "object", "required": ["allocations"], "properties": {
    "allocations": {"type": "array", "maxItems": 200, "items": {"type": "object", "properties": {
        "invoice": {"type": ["string", "integer"]}, "amount": {"type": "string"}}}}}}
REASON_BODY: dict[str, Any] = {"type": "object", "properties": {"reason": {"type": "string"}}}
SET_OFF_BODY: dict[str, Any] = {"type": "object", "required": ["credit_note", "invoice"], "properties": {
    "credit_note": {"type": ["string", "integer"]}, "invoice": {"type": ["string", "integer"]},
    "amount": {"type": "string"}}}
_NAMES: dict[str, Any] = {"type": "array", "maxItems": 50,
                          "items": {"oneOf": [{"type": "string", "maxLength": 100},
                                              {"type": "integer", "minimum": 1}]}}
ROUTE_BODY: dict[str, Any] = {"type": "object", "properties": {
    "from": {"type": ["string", "integer", "null"], "description": "source partner (name or id); any"},
    "to": {"type": ["string", "integer", "null"],
           "description": "recipient partner, or hub (addressed to the hub itself); any"},
    "type": {"type": ["string", "null"], "description": "document type; any"},
    "test": {"type": "string", "enum": ["yes", "no", "any"], "description": "default no"},
    "connectors": _NAMES, "partners": _NAMES,
    "position": {"type": "integer", "minimum": 0, "maximum": 1000000},
    "note": {"type": "string", "maxLength": 200}}}

PARTNER = "partner"
STAFF = "staff"  # admin, operator, auditor
OPERATOR = "operator"  # admin, operator
AUDITOR = "auditor"  # admin, auditor
CONNECTOR = "connector"
ANY = "any"  # a partner key or a staff token
RECEIVER = "receiver"  # an ERP connector token, or an admin or operator token
PUBLIC = "public"
ADMIN = "admin"

WHO = {PARTNER: "a partner API key", STAFF: "an admin, operator or auditor token",
       OPERATOR: "an admin or operator token", AUDITOR: "an admin or auditor token",
       CONNECTOR: "an ERP connector token", ANY: "a partner API key (its own) or a staff token",
       RECEIVER: "an ERP connector token, or an admin or operator token",
       PUBLIC: "no authentication", ADMIN: "an admin token"}


@dataclass(frozen=True)
class Op:
    """One operation: caller, query parameters (name, type, meaning), JSON body, extra answers."""

    who: str
    params: tuple[tuple[str, str, str], ...] = ()
    body: dict[str, Any] | None = None
    ok: int = 200
    media: str = "application/json"  # of the success answer
    answers: dict[int, str] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plain: tuple[int, ...] = ()  # answers (not 2xx) whose body is the result, not an error


EXCHANGE_FILTERS = (("state", "string", "exchange state"), ("type", "string", "document type"),
                    ("direction", "string", "inbound or outbound"),
                    ("ack", "string", "the partner's CONTRL status on outbound exchanges"),
                    ("partner_id", "integer", "staff only: one partner's exchanges"), *TIMES, *PAGE)

OPERATIONS: dict[str, Op] = {
    "exchanges.post_exchange": Op(PARTNER, body={"type": "string", "format": "binary"}, ok=202, answers={
        200: "a duplicate: the original exchange", 409: "Idempotency-Key reused for other bytes",
        413: "larger than HUB_MAX_UPLOAD_BYTES", 415: "neither EDIFACT nor XML",
        503: "SQLite busy writing a large file for over 4 s: nothing stored; retry after Retry-After"}),
    "exchanges.list_exchanges": Op(ANY, EXCHANGE_FILTERS),
    "exchanges.get_exchange": Op(ANY),
    "exchanges.get_raw": Op(ANY, media="application/octet-stream",
                            answers={410: "purged by the retention policy"}),
    "exchanges.reprocess_exchange": Op(OPERATOR, answers={409: "not in a state to reprocess"}),
    "documents.list_documents": Op(ANY, (("type", "string", "document type"),
                                         ("number", "string", "document number"),
                                         ("exchange_id", "string", "the exchange it came from"),
                                         ("held", "boolean", "held for confirmation"), *PAGE)),
    "documents.get_document": Op(ANY),
    "documents.render_document": Op(ANY, (("syntax", "string", "edifact or ubl"),),
                                    media="application/octet-stream",
                                    answers={422: "the document cannot be rendered so",
                                             410: "purged by the retention policy"}),
    "documents.release_document": Op(OPERATOR, answers={409: "not held"}),
    "audit.list_events": Op(AUDITOR, (("actor", "string", "who"), ("action", "string", "what"),
                                      ("object_type", "string", "kind of object"),
                                      ("object_id", "string", "object id"),
                                      ("partner_id", "integer", "partner"), *TIMES, *PAGE)),
    "audit.export": Op(AUDITOR, (("actor", "string", "who"), ("action", "string", "what"), *TIMES),
                       media="text/csv"),
    "mailbox.list_mailbox": Op(PARTNER, (("cursor", "string", "next_cursor of the previous page"),
                                         ("limit", "integer", "at most this many (500)"))),
    "mailbox.get_file": Op(PARTNER, media="application/octet-stream",
                           answers={410: "purged by the retention policy"}),
    "mailbox.ack": Op(PARTNER, body=IDS_BODY),
    "outbox.fetch": Op(CONNECTOR, (("cursor", "integer", "next_cursor of the previous batch"),
                                   ("limit", "integer", "at most this many (500)"))),
    "outbox.ack": Op(CONNECTOR, body=IDS_BODY),
    "outbox.get_document": Op(CONNECTOR),
    "outbox.list_deliveries": Op(STAFF, (("state", "string", "delivery state"),
                                         ("document_id", "string", "document"),
                                         ("connector", "string", "connector name"), *PAGE)),
    "outbox.redeliver_view": Op(OPERATOR, answers={409: "not dead"}),
    "erp.post_stock_levels": Op(CONNECTOR, body={"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object"}}}}, answers={422: "a bad field, named"}),
    "erp.post_invoices": Op(CONNECTOR, body={"type": "object", "properties": {
        "invoices": {"type": "array", "items": {"type": "object"}}}}, ok=201,
        answers={200: "every invoice was issued before", 422: "a bad field, named"}),
    "erp_v2.post_invoices": Op(CONNECTOR, body={"type": "object", "required": ["invoices"], "properties": {
        "invoices": {"type": "array", "maxItems": 500, "items": {"type": "object"}}}}, ok=201, answers={
        200: "every invoice was issued before (same external_id)", 404: "the company named is unknown",
        409: "an ERP's legal number is used already",
        422: "a field, a stated figure that differs from the computed one, or the outbound rules"}),
    "matching.list_payments": Op(STAFF, (("status", "string", "matched, suggested, unmatched, written_off "
                                                          "or rejected"), *PAGE),
                                 enums={"status": ("matched", "suggested", "unmatched", "written_off",
                                                   "rejected")}),
    "matching.payment_detail": Op(STAFF),
    "matching.split_payment": Op(OPERATOR, body=SPLIT_BODY, ok=201, answers={
        409: "the payment is not pending", 422: "an allocation is refused, named"}),
    "matching.match_payment": Op(OPERATOR, body={"type": "object", "required": ["invoice"], "properties": {
        "invoice": {"type": ["string", "integer"]}, "amount": {"type": "string"}}}, ok=201, answers={
        409: "the payment is not pending", 422: "the invoice or amount is refused"}),
    "matching.reject_payment": Op(OPERATOR, body={"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "maxLength": 300}}}, answers={409: "the payment is not pending",
                                                                    422: "no reason"}),
    "matching.write_off_payment": Op(OPERATOR, body={"type": "object", "required": ["account", "reason"],
                                                     "properties": {"account": {"type": "string"},
                                                                    "reason": {"type": "string"}}},
                                     answers={409: "the payment is not pending", 422: "a field is refused"}),
    "matching.match_detail": Op(STAFF),
    "matching.confirm_match": Op(OPERATOR, answers={409: "not a suggestion, or the payment is settled",
                                                    422: "the invoices no longer have the amounts open"}),
    "matching.undo_match": Op(OPERATOR, body=REASON_BODY, answers={409: "not a match"}),
    "matching.list_exceptions": Op(STAFF, PAGE),
    "matching.start_run": Op(OPERATOR, body={"type": "object", "properties": {
        "dry_run": {"type": "boolean"}}}, ok=201, answers={200: "a dry run: the decisions, nothing written"}),
    "matching.list_runs": Op(STAFF, (("limit", "integer", "at most this many (500)"),)),
    "matching.list_credits": Op(STAFF, (("partner", "integer", "one partner's (its id)"),)),
    "matching.apply_credit": Op(OPERATOR, body={"type": "object", "required": ["allocations"], "properties": {
        "allocations": {"type": "array", "items": {"type": "object", "required": ["invoice"], "properties": {
            "invoice": {"type": ["string", "integer"]}, "amount": {"type": "string"}}}}}}, ok=201, answers={
        422: "an invoice or amount is refused (not open, another currency, more than the credit), named"}),
    "matching.set_off_credit_note": Op(OPERATOR, body=SET_OFF_BODY, ok=201, answers={
        422: "the credit note, invoice or amount is refused (no credit left, not open, another buyer or "
             "currency, more than either has), named"}),
    "matching.take_back_credit_note": Op(OPERATOR, body={**SET_OFF_BODY, "required": [
        "credit_note", "invoice", "reason"], "properties": {**SET_OFF_BODY["properties"], "reason": {
            "type": "string", "maxLength": 300}}}, answers={
        422: "more than the credit note set off against the invoice, or no reason, named"}),
    "invoicing.add_company": Op(OPERATOR, body={"type": "object", "required": ["name", "country"]}, ok=201,
                                answers={409: "a company of that name exists", 422: "a field is refused"}),
    "invoicing.list_companies": Op(STAFF),
    "invoicing.issue_invoice": Op(RECEIVER, body={"type": "object"}, ok=201, answers={
        200: "an ERP's retry (same external_id): the invoice issued first",
        409: "the ERP's legal number is used already", 422: "a field, or the outbound rules, refuse it"}),
    "invoicing.credit_invoice": Op(OPERATOR, body={"type": "object"}, ok=201,
                                   answers={409: "it cannot be credited", 422: "a field is refused"}),
    "invoicing.reissue_invoice": Op(OPERATOR, body={"type": "object", "properties": {
        "reason": {"type": "string"}, "corrections": {"type": "object"}}}, ok=201, answers={
        409: "it is paid, credited or a credit note", 422: "a correction, or the outbound rules, refuse it"}),
    "invoicing.list_invoices": Op(STAFF, (("state", "string", "invoice state"),
                                          ("buyer_id", "integer", "the buyer partner's id"),
                                          ("due_before", "date", "due on or before (YYYY-MM-DD)"),
                                          ("due_after", "date", "due on or after (YYYY-MM-DD)"),
                                          ("min_amount", "string", "payable amount at least"),
                                          ("max_amount", "string", "payable amount at most"), *PAGE)),
    "invoicing.invoice_detail": Op(STAFF),
    "invoicing.invoice_order": Op(RECEIVER, body={"type": "object", "properties": {
        "lines": {"type": "array", "maxItems": 10000, "items": {"type": "object"}},
        "from": {"type": "string", "enum": ["despatch"]}}}, ok=201, answers={
        200: "an ERP's retry (same external_id): the invoice issued first",
        404: "no purchase order received from a buyer has that id",
        422: "a line has no price or would be invoiced beyond its order, or a field is refused"}),
    "invoicing.resend_invoice": Op(OPERATOR, answers={409: "a credited invoice is not sent again",
                                                      422: "the outbound rules refuse it: nothing sent"}),
    "invoicing.cancel_invoice": Op(OPERATOR, body=REASON_BODY, ok=201, answers={
        409: "it is paid, partly paid or credited already", 422: "a credit note, or a field is refused"}),
    "procurement.list_rows": Op(STAFF, PAGE, enums={"kind": ("items", "supplier-terms", "reorder-rules")}),
    "procurement.upsert": Op(OPERATOR, body=ROWS_BODY, answers={422: "every row refused"},
                             enums={"kind": ("items", "supplier-terms", "reorder-rules")}, plain=(422,)),
    "procurement.delete_row": Op(OPERATOR, enums={"kind": ("supplier-terms", "reorder-rules")}),
    "procurement.stock_levels": Op(STAFF, (("item", "string", "item"), *PAGE)),
    "procurement.start_run": Op(OPERATOR, body={"type": "object", "properties": {
        "dry_run": {"type": "boolean"}}}, ok=201, answers={200: "a dry run: proposals only",
                                                            409: "a run is already going on"}),
    "procurement.list_runs": Op(STAFF, PAGE),
    "procurement.run_detail": Op(STAFF),
    "procurement.list_orders": Op(STAFF, (("state", "string", "order state"),
                                          ("supplier_id", "integer", "supplier partner id"), *PAGE)),
    "procurement.order_detail": Op(STAFF),
    "procurement.order_action": Op(OPERATOR, body=REASON_BODY, answers={409: "the state does not allow it"},
                                   enums={"action": ("approve", "reject", "release", "cancel", "submit")}),
    "procurement.receipts": Op(RECEIVER, body={"type": "object", "properties": {"lines": {
        "type": "array", "items": {"type": "object"}}}}, answers={409: "the state does not allow it",
                                                                  422: "a bad line, named"}),
    "routing.list_rules": Op(STAFF),
    "routing.add_rule": Op(ADMIN, body=ROUTE_BODY, ok=201, answers={
        422: "a field is refused (each named): an unknown partner or connector, no target, ..."}),
    "routing.get_rule": Op(STAFF),
    "routing.change_rule": Op(ADMIN, body=ROUTE_BODY, answers={
        422: "a field is refused"}),
    "routing.remove_rule": Op(ADMIN),
    "routing.list_batches": Op(STAFF, (("state", "string", "open or closed"),
                                       ("partner_id", "integer", "one partner's batches"), *PAGE)),
    "routing.get_batch": Op(STAFF),
    "reconciliation_statements.upload_statement": Op(
        RECEIVER, (("format", "string", "camt, mt940 or csv (default: sniffed)"),
                   ("profile", "string", "the CSV profile (default: the one the header fits)")),
        body={"type": "string", "format": "binary"}, ok=201, answers={
            200: "nothing new: the same file, or statements already held",
            400: "empty, or a bad parameter", 413: "larger than HUB_MAX_UPLOAD_BYTES",
            415: "neither camt.052/053/054, MT940/MT942 nor CSV",
            422: "unreadable: stored failed, problems named"}),
    "reconciliation_statements.list_statements": Op(STAFF, (
        ("account", "string", "the account (IBAN or the bank's id)"),
        ("date_from", "date", "statement date on or after (YYYY-MM-DD)"),
        ("date_to", "date", "statement date on or before (YYYY-MM-DD)"), *PAGE)),
    "reconciliation_statements.statement_detail": Op(STAFF, PAGE),
    "health.healthz": Op(PUBLIC),
    "health.readyz": Op(PUBLIC, answers={503: "a queue is past its limit"}, plain=(503,)),
    "health.metrics": Op(PUBLIC, media="text/plain"),
}
