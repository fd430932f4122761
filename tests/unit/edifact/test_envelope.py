"""The envelope: interchange fields, messages split out, and each envelope defect named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.domain.errors import Problem, ValidationError
from mappings.edifact.envelope import errors, parse_interchange
from tests.support.conformance import EDIFACT_CORPUS

CORPUS = EDIFACT_CORPUS

UNB = "UNB+UNOC:3+SENDER:14+RECIPIENT:ZZ+250322:1200+REF1++APP++1++1'"
MSG = "UNH+M1+ORDERS:D:96A:UN:EAN008'BGM+220+PO1+9'DTM+137:20250322:102'UNT+4+M1'"


Where = tuple[str, str | None, int | None, str | None, str | None]


def codes(text: str | bytes, **kwargs: bool) -> list[Where]:
    data = text if isinstance(text, bytes) else text.encode("latin-1")
    ich = parse_interchange(data, **kwargs)
    return [(p.code, p.message_ref, p.segment_position, p.segment_tag, p.element) for p in ich.problems]


def test_unb_fields_are_read_into_the_interchange() -> None:
    ich = parse_interchange(f"UNA:+.? '{UNB}{MSG}UNZ+1+REF1'".encode())
    assert (ich.syntax_id, ich.syntax_version, ich.encoding) == ("UNOC", "3", "latin-1")
    assert (ich.sender, ich.sender_qualifier, ich.recipient, ich.recipient_qualifier) == (
        "SENDER", "14", "RECIPIENT", "ZZ")
    assert ich.prepared == datetime(2025, 3, 22, 12, 0, tzinfo=UTC)
    assert (ich.control_ref, ich.application_ref, ich.ack_requested, ich.test) == ("REF1", "APP", True, True)
    assert ich.problems == []


def test_messages_are_split_with_their_identifiers_and_service_segments() -> None:
    second = MSG.replace("M1", "M2").replace(":EAN008", "")
    ich = parse_interchange(f"{UNB}{MSG}{second}UNZ+2+REF1'".encode())
    assert [(m.reference, m.type, m.directory, m.agency, m.association) for m in ich.messages] == [
        ("M1", "ORDERS", "D96A", "UN", "EAN008"), ("M2", "ORDERS", "D96A", "UN", None)]
    first = ich.messages[0]
    assert [s.tag for s in first.segments] == ["UNH", "BGM", "DTM", "UNT"]
    assert [s.tag for s in first.body()] == ["BGM", "DTM"]
    assert ich.problems == []


def test_functional_groups_are_unwrapped_and_checked() -> None:
    text = (f"{UNB}UNG+ORDERS+S:14+R:14+250322:1200+G1+UN+D:96A'{MSG}UNE+1+G1'"
            f"UNG+ORDERS+S:14+R:14+250322:1200+G2+UN+D:96A'{MSG.replace('M1', 'M2')}UNE+3+GX'UNZ+2+REF1'")
    ich = parse_interchange(text.encode())
    assert [(m.reference, m.group_reference) for m in ich.messages] == [("M1", "G1"), ("M2", "G2")]
    assert [(p.code, p.element) for p in ich.problems] == [("UNE_COUNT", "0060"), ("UNE_REFERENCE", "0048")]


def test_unz_counts_groups_when_groups_are_used() -> None:
    text = f"{UNB}UNG+ORDERS+S+R+250322:1200+G1+UN+D:96A'{MSG}{MSG.replace('M1', 'M2')}UNE+2+G1'UNZ+2+REF1'"
    assert codes(text) == [("UNZ_COUNT", None, 12, "UNZ", "0036")]


def test_wrong_unt_count_is_an_error_naming_message_segment_and_element() -> None:
    text = f"{UNB}{MSG.replace('UNT+4', 'UNT+5')}UNZ+1+REF1'"
    assert codes(text) == [("UNT_COUNT", "M1", 4, "UNT", "0074")]
    ich = parse_interchange(text.encode())
    assert "says 5" in ich.problems[0].message and "has 4" in ich.problems[0].message


def test_count_mismatch_is_a_warning_when_tolerated() -> None:
    ich = parse_interchange(f"{UNB}{MSG.replace('UNT+4', 'UNT+5')}UNZ+3+REF1'".encode(),
                            tolerate_count_mismatch=True)
    assert [(p.code, p.severity) for p in ich.problems] == [
        ("UNT_COUNT", "warning"), ("UNZ_COUNT", "warning")]
    assert errors(ich) == []


def test_unt_and_unz_references_must_match() -> None:
    text = f"{UNB}{MSG.replace('UNT+4+M1', 'UNT+4+M9')}UNZ+1+REF2'"
    assert codes(text) == [
        ("UNT_REFERENCE", "M1", 4, "UNT", "0062"), ("UNZ_REFERENCE", None, 6, "UNZ", "0020")]


def test_unz_message_count_is_checked() -> None:
    assert codes(f"{UNB}{MSG}UNZ+2+REF1'") == [("UNZ_COUNT", None, 6, "UNZ", "0036")]


def test_missing_unz_is_a_warning() -> None:
    ich = parse_interchange(f"{UNB}{MSG}".encode())
    assert [(p.code, p.severity) for p in ich.problems] == [("MISSING_UNZ", "warning")]
    assert len(ich.messages) == 1


def test_truncated_file_names_the_cut_segment_and_the_unfinished_message() -> None:
    text = f"{UNB}UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'DTM+137:2025"
    found = codes(text)
    assert ("TRUNCATED_SEGMENT", "M1", 3, "DTM", None) in found
    assert ("MISSING_UNT", "M1", 2, "BGM", None) in found


def test_unh_without_unt_before_the_next_unh() -> None:
    text = f"{UNB}UNH+M0+ORDERS:D:96A:UN'BGM+220'{MSG}UNZ+2+REF1'"
    ich = parse_interchange(text.encode())
    assert [(p.code, p.message_ref, p.segment_position) for p in ich.problems] == [("MISSING_UNT", "M0", 2)]
    assert [m.reference for m in ich.messages] == ["M0", "M1"]


def test_segments_outside_a_message_are_named() -> None:
    assert codes(f"{UNB}{MSG}FTX+AAA'UNZ+1+REF1'") == [("SEGMENT_OUTSIDE_MESSAGE", None, 6, "FTX", None)]


def test_second_una_is_named() -> None:
    found = codes(f"UNA:+.? '{UNB}{MSG}UNA:+.? 'UNZ+1+REF1'")
    assert found[0][0] == "SECOND_UNA"


def test_junk_after_unz_and_a_second_interchange_are_rejected() -> None:
    assert codes(f"{UNB}{MSG}UNZ+1+REF1'trailing rubbish")[0][0] == "JUNK_AFTER_UNZ"
    assert codes(f"{UNB}{MSG}UNZ+1+REF1'{UNB}{MSG}UNZ+1+REF1'") == [
        ("MULTIPLE_INTERCHANGES", None, 7, "UNB", None)]


def test_interchange_without_messages_is_an_error() -> None:
    assert codes(f"{UNB}UNZ+0+REF1'") == [("NO_MESSAGES", None, 2, "UNZ", None)]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "EMPTY"), (b" \r\n", "EMPTY"), (b"<?xml version='1.0'?><Invoice/>", "NOT_EDIFACT"),
    (b"\x89PNG\r\n\x1a\n", "NOT_EDIFACT"), (b"UNB'", "UNB_INVALID"), (b"UNA:+", "UNA_INVALID"),
])
def test_nothing_sensible_raises_validation_error(data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_interchange(data)
    assert info.value.problems[0].code == code


def test_utf8_interchange_is_decoded_as_utf8() -> None:
    text = f"UNB+UNOY:3+S+R+250322:1200+REF1'{MSG.replace('PO1', 'Bestellung für Zoë')}UNZ+1+REF1'"
    ich = parse_interchange(text.encode("utf-8"))
    assert ich.encoding == "utf-8"
    assert ich.messages[0].segments[1].get(1) == "Bestellung für Zoë"
    assert ich.problems == []


def test_invalid_utf8_names_byte_offset_segment_and_charset() -> None:
    head = "UNB+UNOY:3+S+R+250322:1200+REF1'UNH+M1+ORDERS:D:96A:UN'BGM+220+"
    data = head.encode() + b"\xff\xfe" + b"+9'UNT+3+M1'UNZ+1+REF1'"
    ich = parse_interchange(data)
    [problem] = ich.problems
    assert (problem.code, problem.message_ref, problem.segment_position, problem.segment_tag) == (
        "INVALID_CHARACTER", "M1", 2, "BGM")
    assert f"offset {len(head)}" in problem.message and "UNOY" in problem.message


def test_latin1_bytes_in_unoc_are_read() -> None:
    data = f"UNB+UNOC:3+S+R+250322:1200+REF1'{MSG.replace('PO1', 'Müller')}UNZ+1+REF1'".encode("latin-1")
    ich = parse_interchange(data)
    assert ich.messages[0].segments[1].get(1) == "Müller"
    assert ich.problems == []


def test_control_characters_are_invalid_in_every_charset() -> None:
    body = MSG.replace("PO1", "P\x07O")
    data = f"UNB+UNOC:3+S+R+250322:1200+REF1'{body}UNZ+1+REF1'".encode("latin-1")
    assert [p.code for p in parse_interchange(data).problems] == ["INVALID_CHARACTER"]


def test_utf8_in_unoa_is_read_with_a_warning() -> None:
    data = f"UNB+UNOA:3+S+R+250322:1200+REF1'{MSG.replace('PO1', 'MÜNCHEN')}UNZ+1+REF1'".encode()
    ich = parse_interchange(data)
    assert ich.messages[0].segments[1].get(1) == "MÜNCHEN"
    assert [(p.code, p.severity, p.segment_tag) for p in ich.problems] == [
        ("CHARSET_MISMATCH", "warning", "BGM")]


def test_invalid_date_in_unb_is_named() -> None:
    assert codes(f"{UNB.replace('250322', '251341')}{MSG}UNZ+1+REF1'") == [
        ("INVALID_VALUE", None, 1, "UNB", "S004")]


def test_missing_unb_and_unh_elements_are_named() -> None:
    found = codes("UNB+UNOC:3+S+R+250322:1200'UNH+M1+ORDERS'UNT+2+M1'UNZ+1+'")
    assert ("MISSING", None, 1, "UNB", "0020") in found
    assert ("MISSING", "M1", 1, "UNH", "S009/0052") in found


def test_syntax4_default_repetition_separator_without_una() -> None:
    text = "UNB+UNOC:4+S+R+20250322:1200+REF1'UNH+M1+ORDERS:D:03B:UN'COM+a:TE*b:EM'UNT+3+M1'UNZ+1+REF1'"
    ich = parse_interchange(text.encode())
    assert ich.prepared == datetime(2025, 3, 22, 12, 0, tzinfo=UTC)
    assert ich.messages[0].segments[1].elements[0][2] == "\x1e"


# What the corpus README says: good files accepted, the known defects named.
EXPECTED_ERRORS = {
    "pydifact/invoice1.edi": [], "pydifact/order.edi": [], "pydifact/order2.edi": [],
    "pydifact/wikipedia_de.edi": ["UNZ_REFERENCE"],  # UNB 0020 is "1", UNZ says "1234567"
    "staedi/invoic_d93a_una.edi": [], "staedi/invoic_d97b.edi": [],
    "staedi/invoic_d97b_bad.edi": [],  # its defects are in the message body, not the envelope
    "staedi/orders-with-group.edi": ["UNT_COUNT"],
    "smooks/ORDERS_D.03B_Interchange.txt": [],
    "smooks/INVOIC_D.03B_Interchange_with_UNA.txt": ["UNT_COUNT"],
    "smooks/BAD_ORDERS_D.03B_Interchange.txt": ["UNT_COUNT"],
    "en16931-invoic-d14b/EDIFACT_EXAMPLE0.TXT": ["UNT_COUNT"],
    "en16931-invoic-d14b/EDIFACT_EXAMPLE1.TXT": ["UNZ_REFERENCE"],
    "en16931-invoic-d14b/EDIFACT_EXAMPLE2.TXT": ["UNZ_COUNT", "UNZ_REFERENCE"],
    "en16931-invoic-d14b/EDIFACT_EXAMPLE3.TXT": ["UNZ_REFERENCE"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_corpus_envelopes(name: str) -> None:
    ich = parse_interchange((CORPUS / name).read_bytes())
    assert [p.code for p in errors(ich)] == EXPECTED_ERRORS[name]
    assert ich.messages and all(m.segments[0].tag == "UNH" for m in ich.messages)


@pytest.mark.parametrize("name", ["smooks/INVOIC_D.03B_Interchange_with_UNA.txt",
                                  "staedi/orders-with-group.edi"])
def test_corpus_count_mismatch_accepted_with_warning_when_tolerated(name: str) -> None:
    ich = parse_interchange((CORPUS / name).read_bytes(), tolerate_count_mismatch=True)
    assert errors(ich) == []
    assert [p.code for p in ich.problems if p.severity == "warning"] == ["UNT_COUNT"]


def test_problems_render_with_their_place() -> None:
    ich = parse_interchange(f"{UNB}{MSG.replace('UNT+4', 'UNT+5')}UNZ+1+REF1'".encode())
    assert str(ich.problems[0]).startswith("message M1, segment 4, UNT, element 0074:")
    assert isinstance(ich.problems[0], Problem)
