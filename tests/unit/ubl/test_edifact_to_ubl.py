"""EDIFACT -> canonical -> UBL -> canonical keeps what both syntaxes carry (one test per message type).

The canonical documents come from the EDIFACT golden files (fixtures/edifact/*.expected.json, produced by
mappings/edifact from the .edi beside them). Compared: what UBL can carry; not compared: raw codes of the
other syntax (qualifiers, agency codes, BGM/UBL type codes), EDIFACT-only references (SSCC), party order,
quantities of kinds the UBL line has no element for (ordered/backordered on an order response line,
consumer units), EDIFACT-only references (promotion), what the Peppol ordering transactions have no place
for (party addresses, tax numbers and contacts on order responses and despatch advices, the order
reference's date there), the EndpointID the hub derives for Peppol, and -- a known gap of
the UBL invoice mapping -- payment-term due dates, discounts and instalments (only means, account,
reference and the terms text are rendered).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.domain import codec
from hub.domain.documents import Document
from mappings.ubl import parse_ubl, render_ubl

EDIFACT = Path(__file__).resolve().parents[3] / "fixtures" / "edifact"
CASES = {kind: sorted(p for p in EDIFACT.glob(f"*_{kind}_*.expected.json"))
         for kind in ("orders", "ordrsp", "desadv", "invoic")}
_QUANTITIES = {"order_response": {"confirmed"}, "purchase_order": {"ordered"},
               "despatch_advice": {"despatched", "backordered"}, "invoice": {"invoiced"}}
_DROP = {"raw_scheme", "raw_role", "raw_kind", "profile", "our_number", "function", "type_code"}


# What the Peppol transaction keeps of a party: T76 and T16 parties carry identifiers and a (legal) name
# only; an endpoint the hub derives from the GLN, and where the name goes, are Peppol's placement.
_PARTY_CORE = ("order_response", "despatch_advice")


def _peppol_party(party: dict[str, Any], doc_type: str) -> dict[str, Any]:
    party = {k: v for k, v in party.items() if k not in ("endpoint", "legal_only", "legal_name")}
    if doc_type in _PARTY_CORE:
        party = {k: v for k, v in party.items() if k in ("role", "ids", "name")}
    if doc_type == "purchase_order" and party["role"] == "supplier":  # T01: no seller tax scheme
        party.pop("tax_ids", None)
    return party


def _carried(value: Any) -> Any:
    """The canonical JSON without what only EDIFACT carries; parties sorted by role."""
    if isinstance(value, dict):
        out = {k: _carried(v) for k, v in value.items() if k not in _DROP}
        kept = _QUANTITIES.get(out.get("doc_type", ""))
        for line in out.get("lines", []) if kept else []:
            line["quantities"] = [q for q in line.get("quantities", []) if q["kind"] in kept]
        if out.get("doc_type") == "invoice":
            out["payment_terms"] = [t for t in ({k: v for k, v in t.items()
                                                if k in ("means_code", "account_id", "payment_reference")}
                                               for t in out.get("payment_terms", [])) if t]
        totals = out.get("totals")
        if out.get("doc_type") == "purchase_order" and totals and "payable" not in totals:
            totals["payable"] = totals.get("tax_inclusive") or totals.get("line_total")  # mandatory in UBL
        if "parties" in out:
            out["parties"] = sorted((_peppol_party(p, out.get("doc_type", "")) for p in out["parties"]),
                                    key=lambda p: p["role"])
        if out.get("doc_type") in (*_PARTY_CORE, "purchase_order"):  # no issue dates on these references
            for ref in out.get("references", []):
                ref.pop("issued", None)
        for key in ("references",):
            if key in out:
                out[key] = [r for r in out[key] if r["kind"] not in ("sscc", "promotion")] or None
                if out[key] is None:
                    del out[key]
        return out
    if isinstance(value, list):
        return [_carried(v) for v in value]
    return value


def _load(path: Path) -> Document:
    return codec.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", CASES)
def test_edifact_canonical_survives_ubl(kind: str) -> None:
    assert CASES[kind], f"no EDIFACT {kind} golden file in fixtures/edifact"
    for path in CASES[kind]:
        doc = _load(path)
        again = parse_ubl(render_ubl(doc))
        assert _carried(codec.to_dict(again)) == _carried(codec.to_dict(doc)), path.name
