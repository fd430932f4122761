"""Exchanges as other capabilities call them: the one exchange factory and its transitions, what a
principal may see, the hooks a capability above fills (`on_accepted`, `on_acknowledged`, `on_sent`,
`register_translator`), and the use cases they reuse (an outbound file and its control numbers,
exchanges and documents stored one at a time or in bulk, stock levels an ERP posted, a failed
exchange reprocessed).

Re-exported from the modules that hold them. Nothing inside hub.exchanges (or hub.routing, the same
capability) imports this module, so it may import them all without a cycle."""

from __future__ import annotations

from hub.exchanges.accepted import Answered, Batch, on_accepted
from hub.exchanges.acknowledgements import on_acknowledged
from hub.exchanges.catalogue_responses import accept as accept_catalogue
from hub.exchanges.documents import NewDocument, store_documents
from hub.exchanges.documents import lock as lock_document
from hub.exchanges.documents import purge as purge_documents
from hub.exchanges.documents import store as store_document
from hub.exchanges.erp_inbound import StockInput, parse_stock_levels, record_stock_levels
from hub.exchanges.lifecycle import (
    ExchangeFilter,
    NewExchange,
    describe,
    get_visible,
    new_exchange,
    new_exchanges,
    on_sent,
    purge_exchanges,
    transition,
    visible_query,
)
from hub.exchanges.outbound import add_outbound, next_control_numbers
from hub.exchanges.pipeline import Outcome
from hub.exchanges.processing import reprocess
from hub.exchanges.receive import EmptyBody
from hub.exchanges.translators import register as register_translator

__all__ = [
    "Answered",
    "Batch",
    "EmptyBody",
    "ExchangeFilter",
    "NewDocument",
    "NewExchange",
    "Outcome",
    "StockInput",
    "accept_catalogue",
    "add_outbound",
    "describe",
    "get_visible",
    "lock_document",
    "new_exchange",
    "new_exchanges",
    "next_control_numbers",
    "on_accepted",
    "on_acknowledged",
    "on_sent",
    "parse_stock_levels",
    "purge_documents",
    "purge_exchanges",
    "record_stock_levels",
    "register_translator",
    "reprocess",
    "store_document",
    "store_documents",
    "transition",
    "visible_query",
]
