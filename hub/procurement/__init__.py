"""Procurement: items, supplier terms and reorder rules; replenishment runs that draft purchase orders,
send them, and read the suppliers' answers back into them; suppliers' price lists (PRICAT, Catalogue)
update their terms and partners' inventory reports (INVRPT, InventoryReport) the stock levels."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount procurement's API and let it read partners' answers, price lists and inventory reports as
    they are accepted."""
    from hub.exchanges.service import on_accepted
    from hub.procurement import answers, api

    app.register_blueprint(api.bp)
    on_accepted(answers.on_accepted)
