"""The ERP side as other capabilities call it: queue documents for the ERPs (rendered or not), replay a
dead delivery, read a document's deliveries, find and reach a connector, seal and open stored secrets,
register a SOAP service and build its operations on the ERP SOAP service's helpers. Re-exported from
the modules that hold them; nothing inside hub.erp imports this module."""

from __future__ import annotations

from hub.erp.connectors import connector_for as connector_for
from hub.erp.connectors import handles as handles
from hub.erp.connectors import list_connectors as list_connectors
from hub.erp.connectors import open_secret as open_secret
from hub.erp.connectors import scrub_text as scrub_text
from hub.erp.connectors import seal_secret as seal_secret
from hub.erp.handlers import register_soap_service as register_soap_service
from hub.erp.outbox import Rendered as Rendered
from hub.erp.outbox import deliveries_for as deliveries_for
from hub.erp.outbox import enqueue_documents as enqueue_documents
from hub.erp.outbox import enqueue_rendered as enqueue_rendered
from hub.erp.outbox import purge_payloads as purge_payloads
from hub.erp.outbox import redeliver as redeliver
from hub.erp.soap import NAMESPACE
from hub.erp.soap import flask_app_of as flask_app_of
from hub.erp.soap import snake_fields as snake_fields
from hub.erp.soap import with_connector as with_connector

SOAP_NAMESPACE = NAMESPACE  # the ERP SOAP service's target namespace
