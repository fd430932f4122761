"""The checks on an EDIFACT file the hub sends: envelope, directory structure and D.24A code values."""

from __future__ import annotations

from mappings.edifact.outbound_validation import validate_interchange


def _orders(directory: str, rff: str = "ON") -> bytes:
    version, release = directory[0], directory[1:]
    return (f"UNB+UNOC:3+SENDER:14+RECEIVER:14+240311:0930+REF1'"
            f"UNH+1+ORDERS:{version}:{release}:UN'BGM+220+PO-1+9'DTM+137:20240311:102'"
            f"RFF+{rff}:X1'NAD+BY+5412345000013::9'LIN+1++5410000100016:EN'QTY+21:5'UNS+S'"
            f"UNT+9+1'UNZ+1+REF1'").encode()


def test_a_clean_interchange_passes_every_layer():
    checked = validate_interchange(_orders("D96A"))
    assert checked.rules == ["EDIFACT syntax 3 envelope", "D.96A structure", "D.24A code lists"]
    assert checked.problems == []


def test_a_code_not_in_d24a_is_fatal_in_a_d24a_message_naming_segment_and_element():
    checked = validate_interchange(_orders("D24A", rff="ZZQ"))
    (problem,) = checked.fatal
    assert (problem.code, problem.segment_tag, problem.segment_position, problem.element,
            problem.component) == ("CODE_UNKNOWN", "RFF", 4, "C506/1153", 1)
    assert "'ZZQ'" in problem.message and problem.message_ref == "1"


def test_a_code_d24a_lacks_is_a_warning_in_an_older_directory():
    checked = validate_interchange(_orders("D96A", rff="ZZQ"))
    assert checked.fatal == []
    assert [(p.code, p.severity) for p in checked.warnings] == [("CODE_UNKNOWN", "warning")]


def test_a_structure_defect_is_fatal():
    broken = _orders("D96A").replace(b"BGM+220+PO-1+9'", b"")  # BGM is mandatory
    broken = broken.replace(b"UNT+9+1", b"UNT+8+1")
    assert any(p.segment_tag in ("DTM", "BGM") for p in validate_interchange(broken).fatal)


def test_an_envelope_defect_is_fatal():
    broken = _orders("D96A").replace(b"UNT+9+1", b"UNT+7+1")
    assert validate_interchange(broken).fatal


def test_bytes_that_are_not_edifact_are_fatal():
    checked = validate_interchange(b"hello")
    assert checked.fatal and checked.rules == ["EDIFACT envelope"]
