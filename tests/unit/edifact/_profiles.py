"""Partner profiles of the fixture partners: their differences are data, the mappings are shared."""

from __future__ import annotations

from pathlib import Path

from mappings.edifact.profile import GENERIC, PartnerProfile
from tests.support.conformance import EDIFACT_CORPUS

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "edifact"
CORPUS = EDIFACT_CORPUS

PROFILES: dict[str, PartnerProfile] = {
    "demo": GENERIC,
    "eancom": PartnerProfile(partner_id="eancom", association="EAN008"),
    # a Brazilian supplier: CNPJ in RFF+VA, its own unit codes (UN, CX), item cross-references, comma
    "brfoods": PartnerProfile(partner_id="brfoods", party_ref_schemes={"VA": "cnpj"},
                              unit_codes={"UN": "C62", "CX": "XBX"},
                              item_xref={"10022": "SKU-CAFE-500", "10045": "SKU-ACUCAR-1K"},
                              decimal_mark=",", default_currency="BRL"),
    "acme": PartnerProfile(partner_id="acme", item_xref={"778811": "SKU-BOLT-M8"}, render_gtin_type="SRV",
                           directory="D01B"),
}


def profile_for(path: Path) -> PartnerProfile:
    """The profile of the partner a fixture file is named after (<partner>_<message>_<case>.edi)."""
    return PROFILES[path.name.split("_", 1)[0]]
