"""Every EDIFACT fixture and every vendored corpus file the hub accepts renders as EDIFACT that passes
the hub's own outbound validation, and as UBL that either gives 0 fatal with the official validator
(`--peppol` where the CustomizationID claims Peppol) or is refused before sending, naming the rules.

`REFUSED` lists, per file, the rules the hub's outbound validation names when it refuses the UBL: a
rendering fix that makes a file valid, or a change that makes another refused, shows here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.exchanges.outbound import validate_outbound
from hub.rendering import UBL_TYPES, render
from mappings.edifact.profile import GENERIC, PartnerProfile
from tests.support.conformance import EDIFACT_CORPUS, corpus_files, counted, oracle_fatal, oracle_module
from tests.unit.edifact._profiles import FIXTURES, profile_for
from tests.unit.edifact._util import parse_file
from tests.unit.fidelity.roundtrip import IDENTITY

FILES = counted(sorted(FIXTURES.glob("*.edi")), 15, "fixtures/edifact/*.edi") + \
    corpus_files(EDIFACT_CORPUS, "*/*", 15)
NOT_ACCEPTED = {"staedi/invoic_d97b_bad.edi"}  # QTY 6060 '1020A' is not a number: refused on receipt
NO_UBL = {"edifact/demo_remadv_d96a_basic.edi", "edifact/demo_remadv_d96a_reconciliation.edi",  # REMADV
          "edifact/demo_remadv_d96a_credit_notes.edi"}

_T01_NO_DELIVERY = ("PEPPOL-T01-B03702", "PEPPOL-T01-B07202", "PEPPOL-T01-B07203", "PEPPOL-T01-B29301")
REFUSED: dict[str, set[str]] = {
    "edifact/acme_desadv_d96a_sscc.edi": {"PEPPOL-T16-B02002", "PEPPOL-T16-B04302", "PEPPOL-T16-B19601",
                                          "PEPPOL-T16-R004"},
    "edifact/acme_ordrsp_d96a_changes.edi": {"PEPPOL-T76-B00106", "PEPPOL-T76-B03802", "PEPPOL-T76-B05701"},
    "edifact/acme_pricat_d01b_breaks.edi": {"PEPPOL-COMMON-R001", "PEPPOL-T19-B03201", "PEPPOL-T19-B05601",
                                            "PEPPOL-T19-B17001"},
    "edifact/brfoods_invoic_d96a_cnpj.edi": {"BR-47", "BR-48", "BR-CO-17"},
    "edifact/demo_pricat_d96a_pricelist.edi": {"PEPPOL-COMMON-R001", "PEPPOL-T19-B03201", "PEPPOL-T19-B05601",
                                               "PEPPOL-T19-B17001"},
    "edifact/eancom_orders_d96a_ean008.edi": {*_T01_NO_DELIVERY, "PEPPOL-T01-B11401", "PEPPOL-T01-B11402",
                                              "PEPPOL-T01-B14901", "PEPPOL-T01-R024"},
    # the EN 16931 examples as the hub renders them (Peppol BIS 3): no buyer or order reference (R003),
    # no electronic address the EAS list knows (R010, R020, CL008), a price base unit other than the
    # invoiced one (R130), a line amount off by the price (R120); the seller's legal registration (RFF+GN
    # under NAD+SE, PartyLegalEntity/CompanyID) comes with no scheme, which Dutch (NL-R-003: KVK 0106 or
    # OIN 0190) and Danish (DK-R-014: CVR 0184) sellers must give; a Danish seller without CVR (DK-R-005);
    # EXAMPLE2: VAT numbers with no country prefix (BR-CO-09), as the file has them
    # (tests/unit/edifact/test_en16931_example2.py)
    "en16931-invoic-d14b/EDIFACT_EXAMPLE0.TXT": {"NL-R-003", "PEPPOL-EN16931-CL008", "PEPPOL-EN16931-R003",
                                                 "PEPPOL-EN16931-R130"},
    "en16931-invoic-d14b/EDIFACT_EXAMPLE1.TXT": {"NL-R-003", "PEPPOL-EN16931-R003", "PEPPOL-EN16931-R010",
                                                 "PEPPOL-EN16931-R120"},
    "en16931-invoic-d14b/EDIFACT_EXAMPLE2.TXT": {"BR-CO-09"},
    "en16931-invoic-d14b/EDIFACT_EXAMPLE3.TXT": {"DK-R-005", "DK-R-014", "PEPPOL-EN16931-R003",
                                                 "PEPPOL-EN16931-R020"},
    # a 1999 credit note fragment: no names, addresses, rates or consistent totals (the invoicee, NAD+BT,
    # is its AccountingCustomerParty)
    "pydifact/invoice1.edi": {"BR-06", "BR-07", "BR-08", "BR-10", "BR-48", "BR-CO-04", "BR-CO-09", "BR-CO-10",
                              "BR-CO-15", "BR-CO-16", "BR-S-01", "BR-S-09", "UBL-SR-48"},
    "pydifact/order.edi": {*_T01_NO_DELIVERY, "PEPPOL-T01-B14901"},
    "pydifact/order2.edi": {*_T01_NO_DELIVERY, "PEPPOL-COMMON-R040", "PEPPOL-T01-R024"},
    "pydifact/wikipedia_de.edi": {"PEPPOL-COMMON-R001", "PEPPOL-T01-B03701", "PEPPOL-T01-B05401",
                                  "PEPPOL-T01-B07101", "PEPPOL-T01-B29301"},
    "smooks/BAD_ORDERS_D.03B_Interchange.txt": {*_T01_NO_DELIVERY, "PEPPOL-COMMON-R040"},
    "smooks/INVOIC_D.03B_Interchange_with_UNA.txt": {
        "BR-07", "BR-08", "BR-10", "BR-44", "BR-48", "BR-CL-14", "BR-CO-04", "BR-CO-09", "BR-CO-10",
        "BR-CO-15", "BR-CO-16", "BR-CO-17", "BR-CO-24", "BR-S-01", "BR-S-09", "UBL-SR-48"},
    "smooks/ORDERS_D.03B_Interchange.txt": {*_T01_NO_DELIVERY, "PEPPOL-COMMON-R040"},
    "staedi/invoic_d93a_una.edi": {"BR-09", "BR-11", "BR-64", "BR-CO-04", "BR-CO-13", "BR-CO-15", "BR-CO-16",
                                   "BR-CO-26", "BR-S-01", "BR-S-08", "UBL-SR-48"},
    "staedi/invoic_d97b.edi": {"BR-08", "BR-10", "BR-37", "BR-CO-04", "BR-CO-10", "BR-CO-12", "BR-CO-15",
                               "BR-CO-16", "BR-CO-18", "UBL-SR-48"},
    "staedi/orders-with-group.edi": {"PEPPOL-T01-B03702", "PEPPOL-T01-B07202", "PEPPOL-T01-R024"},
}


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _profile(path: Path) -> PartnerProfile:
    return profile_for(path) if path.parent == FIXTURES else GENERIC


@pytest.fixture(scope="module")
def oracles() -> dict[bool, Any]:
    module = oracle_module()
    return {False: module.Validator(), True: module.Validator(peppol=True)}


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_an_accepted_file_renders_in_both_syntaxes_or_is_refused_naming_the_rules(
        path: Path, oracles: dict[bool, Any], tmp_path: Path) -> None:
    name, profile = _name(path), _profile(path)
    if name in NOT_ACCEPTED:
        with pytest.raises(Exception, match="segment"):
            parse_file(path, profile)
        return
    for doc in parse_file(path, profile):
        edifact = render(doc, "edifact", profile=profile, identity=IDENTITY, control_ref="C1").data
        checked = validate_outbound(edifact, "edifact")
        assert not checked.fatal, f"{name}: the EDIFACT the hub renders fails its own validation: " \
                                  f"{[str(p) for p in checked.fatal]}"
        if doc.doc_type not in UBL_TYPES:
            assert name in NO_UBL, f"{name}: a {doc.doc_type} has no UBL rendering"
            continue
        ubl = render(doc, "ubl", profile=profile, identity=IDENTITY, control_ref="C1", check=False).data
        verdict = validate_outbound(ubl, "ubl")
        refused = {p.code for p in verdict.fatal}
        claims_peppol = b"peppol" in ubl.split(b"</cbc:CustomizationID>")[0]
        official = oracle_fatal(oracles[claims_peppol], ubl, tmp_path, "rendered.xml")
        if not refused:  # it would be sent: the official validator must agree
            assert official == [], f"{name}: the hub would send UBL the official validator refuses: " \
                                   f"{official}"
        else:  # refused before sending, naming the rules; the official validator finds it invalid too
            assert all(p.code and p.message for p in verdict.fatal)
            assert official, f"{name}: the hub refuses UBL the official validator accepts: {sorted(refused)}"
        assert refused == REFUSED.get(name, set()), f"{name}: the UBL is refused for {sorted(refused)}"
