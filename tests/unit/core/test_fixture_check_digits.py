"""Every GLN, GTIN and SSCC in the hub's own fixtures and test data carries a valid GS1 check digit.

A partner who copies an example from our fixtures gets numbers the hub (and GS1) accept: party ids
where a GLN is claimed (EDIFACT 3055 `9`, UNB qualifier 14, UBL ICD 0088), item ids where a GTIN is
claimed (7143 EN/SRV, UBL schemeID 0160), SSCCs (GIN+BJ), and the same values in the golden JSON and
the Python test data built from them. Verbatim copies of third-party examples keep their own numbers
(listed below with where they come from); numbers a test sends *because* they are wrong are listed too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from stdnum import ean

ROOT = Path(__file__).resolve().parents[3]

# what names a GS1 number, per kind of file: (what it is, pattern whose group 1 is the number)
_EDIFACT = [
    ("GLN (UNB qualifier 14)", r"[+:](\d{8,14}):14\b"),
    ("GLN (3055 9)", r"\+(\d{8,14})::9\b"),
    ("GTIN (7143 EN/SRV)", r"[+:](\d{8,14}):(?:EN|SRV)\b"),
    ("SSCC (GIN+BJ)", r"GIN\+BJ\+(\d{18})"),
]
_UBL = [
    ("GLN/GTIN (schemeID 0088/0160/GLN/GTIN)",
     r'schemeID="(?:0088|0160|GLN|GTIN)"[^>]*>\s*(\d+)\s*<'),
    ("GLN (schemeAgencyID 9)", r'schemeAgencyID="9"[^>]*>\s*(\d+)\s*<'),
    ("SSCC (schemeID SSCC)", r'schemeID="SSCC"[^>]*>\s*(\d+)\s*<'),
]
_JSON = [
    ("GTIN (\"gtin\")", r'"gtin":\s*"(\d+)"'),
    ("GLN (ids scheme gln)", r'"value":\s*"(\d+)",\s*"scheme":\s*"gln"'),
    ("SSCC (\"sscc\")", r'"(?:sscc|number)":\s*"(\d{18})"'),
]
_PYTHON = [
    ("GLN (Identifier ..., IdScheme.gln)", r'Identifier\("(\d+)",\s*IdScheme\.gln'),
    ("GTIN (gtin=)", r'gtin\s*==?\s*"(\d+)"'),
    ("GLN (\"gln:...\")", r'"gln:(\d+)"'),
]
PATTERNS = {".edi": _EDIFACT, ".xml": _UBL, ".json": _JSON, ".py": _EDIFACT + _UBL + _PYTHON}

_PEPPOL = "OpenPeppol poacc-upgrade-3 (fixtures/ubl/peppol/SOURCES.md)"
# verbatim copies of published examples: their numbers are the publisher's, kept as published
THIRD_PARTY = {
    "fixtures/ubl/oasis_order_example.xml": "OASIS UBL 2.1 release example (fixtures/ubl/README.md)",
    "fixtures/ubl/oasis_order_example.expected.json": "what the hub reads from the OASIS example",
    "fixtures/ubl/peppol/DespatchAdvice_Example.xml": _PEPPOL,
    "fixtures/ubl/peppol/Order_Example.xml": _PEPPOL,
    "fixtures/ubl/peppol/OrderCancellation_Example.xml": _PEPPOL,
}
# numbers a test sends because their check digit is wrong (the refusal or warning is the point)
DELIBERATELY_WRONG = {
    "5412345000014",  # tests/integration/api/test_cli_errors.py: a partner GLN refused on entry
    "5790000435976",  # the same, for posts_for
    "4006381333932",  # tests/integration/procurement/test_price_lists.py: a price list GTIN refused
    "5410000100029",  # tests/integration/api/test_gtin_warnings.py: an order line's GTIN warned about
}


GS1_LENGTHS = (8, 12, 13, 14, 18)  # GTIN-8/12/13/14 (a GLN is 13), SSCC


def _files() -> list[Path]:
    found = [p for p in (ROOT / "fixtures").rglob("*") if p.suffix in PATTERNS]
    found += [p for p in (ROOT / "tests").rglob("*.py")]
    return sorted(p for p in found if p.is_file() and p != Path(__file__).resolve())


def _wrong(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    out = []
    for what, pattern in PATTERNS[path.suffix]:
        for match in re.finditer(pattern, text):
            number = match.group(1)
            if len(number) not in GS1_LENGTHS or number in DELIBERATELY_WRONG \
                    or ean.calc_check_digit(number[:-1]) == number[-1]:
                continue
            line = text.count("\n", 0, match.start()) + 1
            out.append(f"{path.relative_to(root)}:{line}: {what} {number} (check digit should be "
                       f"{ean.calc_check_digit(number[:-1])})")
    return out


def test_fixtures_and_test_data_carry_valid_gs1_check_digits() -> None:
    files = [p for p in _files() if str(p.relative_to(ROOT)) not in THIRD_PARTY]
    assert len(files) > 50, "the fixtures were not found"
    wrong = [problem for path in files for problem in _wrong(path)]
    assert not wrong, "GS1 numbers with a wrong check digit:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(THIRD_PARTY))
def test_the_third_party_copies_left_as_published_exist(name: str) -> None:
    assert (ROOT / name).is_file(), f"{name} is listed as a verbatim copy but is not in the repository"


def test_a_wrong_check_digit_in_a_fixture_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "x.edi"
    bad.write_text("NAD+SU+5410000100012::9'\nLIN+1++5410000100016:EN'\n", encoding="utf-8")
    assert _wrong(bad, tmp_path) == [
        "x.edi:1: GLN (3055 9) 5410000100012 (check digit should be 6)"]

