"""Who the hub says it is, and who the partner is, in the UNB of what it sends a partner."""

from __future__ import annotations

from typing import Any

from hub import rendering
from hub.partners.models import Partner


def identity_for(settings: Any, partner: Partner) -> rendering.Identity:
    """UNB parties of what the hub sends a partner: the hub's own id, the partner's EDI id."""
    edi = next((i for i in partner.identifiers if i.scheme == "edi"), None)
    return rendering.Identity(settings.hub_edi_id, settings.hub_edi_qualifier,
                              edi.value if edi else partner.name,
                              (edi.qualifier or None) if edi else None)
