"""An item number sent as a GTIN whose GS1 check digit is wrong is processed with a warning naming the
segment and element (EDIFACT) or the XPath (UBL): partners send their internal numbers as item ids, so
it is not a rejection, and the number is kept as sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.exchanges import post, process, shown

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
UBL_ORDER = (ROOT / "fixtures" / "ubl" / "ponte_order_peppol.xml").read_bytes()
BODIES = {  # the second line's GTIN with its check digit changed
    "edifact": (ORDERS.replace(b"LIN+2++5410000100023:EN", b"LIN+2++5410000100029:EN"), "5412345000013",
                "5410000100029", "LIN", "C212/7140"),
    "ubl": (UBL_ORDER.replace(b">5790000400027<", b">5790000400022<"), None, "5790000400022", "",
            "/Order/cac:OrderLine[2]/cac:LineItem/cac:Item/cac:StandardItemIdentification/cbc:ID"),
}


def _gtin_warnings(ex: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in ex.get("warnings", []) if w["code"] == "GTIN_INVALID"]


@pytest.mark.parametrize("syntax", list(BODIES))
def test_a_gtin_with_a_wrong_check_digit_is_a_warning_naming_where_it_is(app, client, make_partner,
                                                                       syntax: str) -> None:
    body, edi_id, gtin, segment, element = BODIES[syntax]
    assert body not in (ORDERS, UBL_ORDER)
    partner = make_partner("buyer", edi_id=edi_id)
    ex_id = post(client, partner, body)
    process(app)
    ex = shown(client, partner, ex_id)
    assert ex["state"] == "processed", ex.get("error")
    (warning,) = _gtin_warnings(ex)
    assert warning["severity"] == "warning" and warning["element"] == element
    assert warning.get("segment_tag", "") == segment
    assert "line 2" in warning["message"] and "check digit" in warning["message"]
    (document,) = ex["result"]["documents"]
    doc = client.get(document["links"]["self"], headers=partner.headers).json
    assert gtin in str(doc)  # kept as sent


@pytest.mark.parametrize("syntax", list(BODIES))
def test_valid_gtins_give_no_warning(app, client, make_partner, syntax: str) -> None:
    partner = make_partner("buyer", edi_id=BODIES[syntax][1])
    ex_id = post(client, partner, ORDERS if syntax == "edifact" else UBL_ORDER)
    process(app)
    ex = shown(client, partner, ex_id)
    assert ex["state"] == "processed", ex.get("error")
    assert _gtin_warnings(ex) == []
