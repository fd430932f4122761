"""Each code list is one table used both ways: the code read gives the canonical value, the canonical value
written gives the code back; a value a list has no code for is refused naming the value and the list."""

from __future__ import annotations

import pytest

from mappings import codelists
from mappings.codelists import CodeListError

# (list, code, canonical value): reading the code gives the value, writing the value gives the code
BOTH_WAYS = [
    ("edifact_1153", "ON", "order"), ("edifact_1153", "AAG", "quotation"),
    ("edifact_1153", "CR", "buyer_reference"), ("edifact_1153", "ABO", "tender"),
    ("edifact_1153", "CT", "contract"), ("edifact_1153", "PW", "previous_order"),
    ("edifact_1153_fields", "VA", "vat"), ("edifact_1153_fields", "GN", "legal"),
    ("edifact_1153_fields", "AOU", "accounting_cost"),
    ("edifact_3035", "BY", "buyer"), ("edifact_3035", "SU", "supplier"), ("edifact_3035", "DP", "delivery"),
    ("edifact_3035", "OB", "other"),
    ("edifact_3055", "9", "gln"), ("edifact_3055", "16", "duns"), ("edifact_3055", "92", "buyer_assigned"),
    ("edifact_1225", "9", "original"), ("edifact_1225", "5", "replace"), ("edifact_1225", "1", "cancel"),
    ("edifact_4343", "AP", "accepted"), ("edifact_4343", "RE", "rejected"),
    ("edifact_6063", "21", "ordered"), ("edifact_6063", "12", "despatched"),
    ("icd", "0088", "gln"), ("icd", "0060", "duns"), ("icd", "0160", "gtin"),
    ("eas", "0088", "gln"),
]

# codes that are valid as they are (written through unchanged), per list
VALID = [("rec20", "C62"), ("rec20", "KGM"), ("rec20", "XCT"), ("uncl1001", "220"), ("uncl1001", "380"),
         ("uncl4461", "30"), ("uncl4461", "58"), ("uncl5305", "E"), ("uncl5305", "O"), ("uncl5305", "S"),
         ("icd", "0192"), ("icd", "0009"), ("eas", "9925"), ("edifact_1153", "AAJ"), ("edifact_3035", "UC")]

# internal names and made-up codes no list may write
UNKNOWN = [("edifact_1153", "buyer_reference_x"), ("edifact_1153", "tender_x"),
           ("edifact_3035", "OriginatorCustomerParty"), ("edifact_3055", "0088"),
           ("edifact_1225", "original_x"), ("edifact_4343", "accepted_with_changes_x"),
           ("rec20", "GBND"), ("rec20", "PCS"), ("uncl1001", "9999"), ("uncl4461", "pix"),
           ("uncl5305", "exempt"), ("icd", "9999"), ("eas", "GLN")]


@pytest.mark.parametrize(("key", "code", "canonical"), BOTH_WAYS)
def test_a_code_reads_as_its_value_and_the_value_writes_as_the_code(key: str, code: str,
                                                                   canonical: str) -> None:
    table = codelists.load(key)
    assert table.canonical(code) == canonical
    assert table.code(canonical) == code


@pytest.mark.parametrize(("key", "code"), VALID)
def test_a_valid_code_is_written_as_it_is(key: str, code: str) -> None:
    assert codelists.load(key).code(code) == code


@pytest.mark.parametrize(("key", "value"), UNKNOWN)
def test_a_value_without_a_code_is_refused_naming_value_and_list(key: str, value: str) -> None:
    table = codelists.load(key)
    with pytest.raises(CodeListError) as caught:
        table.code(value, segment="RFF", element="C506/1153", where="line 3")
    error = caught.value
    assert repr(value) in error.message and table.name in error.message and "line 3" in error.message
    (problem,) = error.problems
    assert (problem.code, problem.segment_tag, problem.element) == ("CODE_LIST", "RFF", "C506/1153")
    assert error.as_dict()["code"] == "CODE_LIST"


def test_every_list_has_a_name_and_codes_from_its_source() -> None:
    sizes = {key: len(codelists.load(key).codes) for key in codelists.names()}
    assert set(sizes) >= {"edifact_1153", "edifact_3035", "edifact_3055", "edifact_1225", "edifact_4343",
                          "edifact_6063", "uncl1001", "uncl4461", "uncl5305", "uncl7143", "rec20", "icd",
                          "eas"}
    # the official lists are long: a table holding only the hub's own mappings would be a stub
    assert sizes["edifact_1153"] > 800 and sizes["rec20"] > 2000 and sizes["icd"] > 200
    assert all(codelists.load(key).name for key in sizes)
