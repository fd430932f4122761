"""What others read of the audit trail: its key and verification (from `anchor`), and the trail as
the REST API and the admin pages filter and export it (from `web`: a request's filters, the CSV in
parts). Re-exported from the modules that hold them."""

from __future__ import annotations

from hub.audit.anchor import AuditAnchor as AuditAnchor
from hub.audit.anchor import TrailVerdict as TrailVerdict
from hub.audit.anchor import anchor_of as anchor_of
from hub.audit.anchor import verify_trail as verify_trail
from hub.audit.web import csv_parts as csv_parts
from hub.audit.web import request_filter as request_filter
