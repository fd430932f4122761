"""Structure validation: segment order, groups, repeats and element values, driven by the JSON structures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.domain.errors import Problem
from mappings.edifact.model import Message, Segment
from mappings.edifact.structure import STRUCTURES, load_structure, select_structures, validate_message
from mappings.edifact.tokenizer import REPETITION_MARK
from tests.support.conformance import EDIFACT_CORPUS

CORPUS = EDIFACT_CORPUS
GOOD = ["pydifact/invoice1.edi", "pydifact/order.edi", "pydifact/order2.edi", "pydifact/wikipedia_de.edi",
        "smooks/ORDERS_D.03B_Interchange.txt", "smooks/INVOIC_D.03B_Interchange_with_UNA.txt",
        "staedi/invoic_d93a_una.edi", "staedi/invoic_d97b.edi", "staedi/orders-with-group.edi",
        "en16931-invoic-d14b/EDIFACT_EXAMPLE0.TXT", "en16931-invoic-d14b/EDIFACT_EXAMPLE1.TXT",
        "en16931-invoic-d14b/EDIFACT_EXAMPLE2.TXT", "en16931-invoic-d14b/EDIFACT_EXAMPLE3.TXT"]


def split_segments(text: str) -> list[list[list[str]]]:
    """A tiny tokenizer for tests: UNA, release character, elements and components."""
    una = text[3:9] if text.startswith("UNA") else ":+.? '"
    comp, elem, rel, term = una[0], una[1], una[3], una[5]
    text = text[9:] if text.startswith("UNA") else text
    segments: list[list[list[str]]] = []
    elements: list[list[str]] = []
    components: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == rel and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
            continue
        if ch in (comp, elem, term):
            components.append("".join(buf))
            buf = []
            if ch != comp:
                elements.append(components)
                components = []
            if ch == term:
                segments.append(elements)
                elements = []
        elif not (ch in "\r\n" and not buf and not components and not elements):
            buf.append(ch)
        i += 1
    return segments


def messages_in(text: str) -> list[Message]:
    out: list[Message] = []
    current: Message | None = None
    for raw in split_segments(text):
        tag, elements = raw[0][0], raw[1:]
        if tag == "UNH":
            s009 = elements[1] + [""] * 6
            current = Message(elements[0][0], s009[0], s009[1], s009[2], s009[3], s009[4] or None, [])
        if current is not None:
            current.segments.append(Segment(tag, elements, len(current.segments) + 1))
        if tag == "UNT" and current is not None:
            out.append(current)
            current = None
    return out


def message(text: str) -> Message:
    (only,) = messages_in(text)
    return only


def errors(problems: list[Problem]) -> list[tuple[str, int | None, str | None, str | None]]:
    return [(p.code, p.segment_position, p.segment_tag, p.element) for p in problems if p.severity == "error"]


ORDER = ("UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'DTM+137:20250101:102'NAD+BY+5412345000013::9'"
         "LIN+1++4000862141404:SRS'QTY+21:10:PCE'PRI+AAA:12.5'UNS+S'CNT+2:1'UNT+10+1'")


def order(replace: str = "", by: str = "") -> Message:
    return message(ORDER.replace(replace, by) if replace else ORDER)


# -- the corpus ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", GOOD)
def test_good_corpus_files_have_no_errors(name: str) -> None:
    text = (CORPUS / name).read_text(encoding="latin-1")
    found = messages_in(text)
    assert found
    for msg in found:
        # the D.03B files are syntax 4 with "*" as repetition separator
        problems = validate_message(msg, repetition="*" if "UNOA:4" in text or "UNOC:4" in text else None)
        assert errors(problems) == [], [str(p) for p in problems]


def test_exact_version_gives_no_note_and_nearest_version_a_warning() -> None:
    exact = validate_message(messages_in((CORPUS / "pydifact/order2.edi").read_text())[0])
    assert exact == []
    older = validate_message(messages_in((CORPUS / "staedi/invoic_d93a_una.edi").read_text())[0])
    note = [p for p in older if p.code == "STRUCTURE_NEAREST"]
    assert len(note) == 1 and note[0].severity == "warning"
    assert "D96A" in note[0].message and "D93A" in note[0].message


def test_bad_orders_d03b_repeats_dtm_beyond_its_maximum() -> None:
    (msg,) = messages_in((CORPUS / "smooks/BAD_ORDERS_D.03B_Interchange.txt").read_text())
    problems = validate_message(msg, repetition="*")
    # 36 DTM segments at positions 3..38 where ORDERS allows 35: the 36th is the one in error
    assert errors(problems) == [("TOO_MANY_REPEATS", 38, "DTM", None)]
    (too_many,) = [p for p in problems if p.code == "TOO_MANY_REPEATS"]
    assert too_many.message_ref == "SSDD1" and "maximum of 35" in too_many.message


def test_bad_invoic_d97b_names_each_defect() -> None:
    (msg,) = messages_in((CORPUS / "staedi/invoic_d97b_bad.edi").read_text())
    problems = validate_message(msg)
    assert errors(problems) == [
        ("TOO_LONG", 5, "NAD", "3035"),  # party qualifier BYZZ, an..3
        ("NOT_NUMERIC", 10, "QTY", "C186/6060"),  # 1020A
        ("NOT_NUMERIC", 13, "PRI", "C509/5118"),  # $1.179
        ("TOO_MANY_REPEATS", 21, "UNS", None),  # UNS twice
    ]
    qty = next(p for p in problems if p.segment_tag == "QTY")
    assert qty.component == 2 and "1020A" in qty.message and qty.message_ref == "00000000000117"
    price = next(p for p in problems if p.segment_tag == "PRI")
    assert price.component == 2 and "$1.179" in price.message


# -- structure checks ------------------------------------------------------------------------------

def test_a_valid_order_has_no_problem() -> None:
    assert validate_message(order()) == []


def test_segment_out_of_order() -> None:
    msg = order("NAD+BY+5412345000013::9'", "NAD+BY+5412345000013::9'DTM+2:20250102:102'")
    assert errors(validate_message(msg)) == [("SEGMENT_ORDER", 5, "DTM", None)]


def test_mandatory_segment_missing() -> None:
    msg = order("BGM+220+PO1+9'", "")
    assert errors(validate_message(msg)) == [("SEGMENT_MISSING", 2, "BGM", None)]


def test_mandatory_segment_missing_at_end_of_group() -> None:
    msg = message("UNH+1+INVOIC:D:96A:UN'BGM+380+I1+9'DTM+137:20250101:102'UNS+S'UNT+5+1'")
    assert errors(validate_message(msg)) == [("GROUP_MISSING", 5, "MOA", None)]


def test_group_repeated_beyond_its_maximum() -> None:
    refs = "".join(f"RFF+ON:{n}'" for n in range(11))  # SG1 allows 10 in ORDERS D96A
    msg = order("DTM+137:20250101:102'", "DTM+137:20250101:102'" + refs)
    problems = validate_message(msg)
    assert errors(problems) == [("TOO_MANY_REPEATS", 14, "RFF", None)]
    assert "group SG1" in problems[0].message


def test_segment_repeated_inside_a_group() -> None:
    msg = order("QTY+21:10:PCE'", "QTY+21:10:PCE'" * 11)  # QTY max 10 in the line
    assert errors(validate_message(msg)) == [("TOO_MANY_REPEATS", 16, "QTY", None)]


def test_unexpected_segments() -> None:
    msg = order("UNS+S'", "UNS+S'XYZ+1'LIN+2++1:SRS'")
    assert errors(validate_message(msg)) == [("UNEXPECTED_SEGMENT", 9, "XYZ", None),
                                             ("SEGMENT_ORDER", 10, "LIN", None)]


def test_unknown_message_type() -> None:
    msg = message("UNH+1+FOOBAR:D:96A:UN'BGM+1'UNT+3+1'")
    (problem,) = validate_message(msg)
    assert problem.code == "UNKNOWN_MESSAGE" and problem.message_ref == "1"


def test_eancom_subset_is_stricter_than_the_un_message() -> None:
    text = ORDER.replace("DTM+137:20250101:102'", "DTM+137:20250101:102'IMD+F++:::Spring'")
    assert validate_message(message(text)) == []
    eancom = message(text.replace("ORDERS:D:96A:UN", "ORDERS:D:96A:UN:EAN008"))
    assert errors(validate_message(eancom)) == [("UNEXPECTED_SEGMENT", 4, "IMD", None)]


def test_subset_without_a_structure_falls_back_to_the_un_message() -> None:
    structures, notes = select_structures("ORDRSP", "D96A", "EAN005")
    assert [s.name for s in structures] == ["ordrsp_d96a"]
    assert notes[0].code == "STRUCTURE_SUBSTITUTED" and notes[0].severity == "warning"


def test_desadv_d96a_ean007_has_no_subset_of_its_own() -> None:
    # EAN007 is the EANCOM 2002 DESADV (reference directory D.01B); EANCOM 1997 DESADV (D.96A) is version
    # 005. A DESADV:D:96A:UN:EAN007 header mixes the two, so it is checked against UN D.96A, with the note.
    structures, notes = select_structures("DESADV", "D96A", "EAN007")
    assert [s.name for s in structures] == ["desadv_d96a"]
    assert [n.code for n in notes] == ["STRUCTURE_SUBSTITUTED"]


REMITTANCE = ("UNH+1+REMADV:D:01B:UN:EAN005'BGM+481+RA1+9'DTM+137:20250101:102'RFF+CT:C1'PAI+1::42'"
              "NAD+PE+5412345000013::9'CTA+AD+:Y TEALL'COM+003212345678:TE'NAD+PR+5498765000017::9'"
              "CUX+2:EUR:11'DOC+380+INV1'MOA+9:120'MOA+12:100'DTM+137:20241201:102'RFF+ON:PO1'"
              "AJT+1'MOA+5:20'RFF+PL:L1'FTX+AAI+++DAMAGED'QTY+124:2'TAX+7+VAT+++:::21+S'MOA+124:4.2'"
              "DLI+1+1'MOA+12:100'PIA+5+5410000100016:SRV'CUX+2:EUR:11'AJT+1'MOA+5:20'RFF+ON:PO1'"
              "TAX+7+VAT+++:::21+S'MOA+124:4.2'UNS+S'MOA+12:100'UNT+34+1'")


def remittance(replace: str = "", by: str = "") -> Message:
    return message(REMITTANCE.replace(replace, by) if replace else REMITTANCE)


def test_eancom_remadv_d01b_subset_accepts_a_valid_remittance() -> None:
    msg = remittance()
    structures, notes = select_structures(msg.type, msg.directory, msg.association)
    assert [s.name for s in structures] == ["remadv_d01b_ean005"] and notes == []
    assert validate_message(msg) == []


@pytest.mark.parametrize(("after", "dropped", "expected"), [
    ("PAI+1::42'", "FTX+AAI+++REMARK'", ("UNEXPECTED_SEGMENT", 6, "FTX", None)),  # heading FTX
    ("PAI+1::42'", "GIS+37'", ("UNEXPECTED_SEGMENT", 6, "GIS", None)),  # heading GIS
    ("NAD+PE+5412345000013::9'", "RFF+VA:BE0123'", ("SEGMENT_ORDER", 7, "RFF", None)),  # SG2 under NAD
    ("MOA+124:4.2'", "INP+BY+SE:1'", ("UNEXPECTED_SEGMENT", 23, "INP", None)),  # SG9 INP-FTX
    ("PIA+5+5410000100016:SRV'", "DTM+171:20241201:102'", ("SEGMENT_ORDER", 26, "DTM", None)),  # SG10 DTM
    ("MOA+5:20'RFF+ON:PO1'", "FTX+AAI+++LINE'", ("UNEXPECTED_SEGMENT", 30, "FTX", None)),  # SG12 FTX
])
def test_eancom_remadv_subset_rejects_what_eancom_drops(after: str, dropped: str,
                                                        expected: tuple[str, int, str, None]) -> None:
    assert after in REMITTANCE
    text = REMITTANCE.replace(after, after + dropped, 1)
    un = message(text.replace("REMADV:D:01B:UN:EAN005", "REMADV:D:01B:UN"))
    assert errors(validate_message(un)) == []
    assert errors(validate_message(message(text))) == [expected]


def test_eancom_remadv_subset_rejects_the_un_allowance_group() -> None:
    """SG14 (ALC-MOA after the summary MOA) is UN D.01B only."""
    text = REMITTANCE.replace("UNS+S'MOA+12:100'", "UNS+S'MOA+12:100'ALC+A++++ABC'MOA+8:5'")
    un = message(text.replace("REMADV:D:01B:UN:EAN005", "REMADV:D:01B:UN"))
    assert errors(validate_message(un)) == []
    assert errors(validate_message(message(text))) == [("UNEXPECTED_SEGMENT", 34, "ALC", None)]


def test_eancom_remadv_subset_keeps_the_un_statuses() -> None:
    """EANCOM keeps every status and repeat of what it uses: what UN requires is still required."""
    for replace in ("DTM+137:20250101:102'", "MOA+9:120'MOA+12:100'"):  # heading DTM M5, SG5 MOA M5
        problems = errors(validate_message(remittance(replace, "")))
        assert problems and problems[0][0] == "SEGMENT_MISSING"
    six = "DTM+137:20250101:102'" * 6  # DTM M 5 in the heading
    assert ("TOO_MANY_REPEATS", 8, "DTM", None) in errors(
        validate_message(remittance("DTM+137:20250101:102'", six)))


def _item_paths(items: list[dict[str, Any]], prefix: str = "") -> list[tuple[str, bool, int]]:
    """(path such as SG5/SG10/PIA, required, max) of every item, in message order."""
    out: list[tuple[str, bool, int]] = []
    for item in items:
        path = prefix + (item.get("group") or item["tag"])
        out.append((path, item["required"], item["max"]))
        if "group" in item:
            out += _item_paths(item["items"], path + "/")
    return out


@pytest.mark.parametrize("name", sorted(p.stem for p in STRUCTURES.glob("*_ean*.json")))
def test_every_eancom_subset_is_a_subsequence_of_its_un_message(name: str) -> None:
    subset = json.loads((STRUCTURES / f"{name}.json").read_text(encoding="utf-8"))
    un = json.loads((STRUCTURES / f"{name.rsplit('_', 1)[0]}.json").read_text(encoding="utf-8"))
    un_paths = _item_paths(un["items"])
    position = {path: i for i, (path, _required, _max) in enumerate(un_paths)}
    sub_paths = _item_paths(subset["items"])
    assert all(path in position for path, _r, _m in sub_paths), name
    order = [position[path] for path, _r, _m in sub_paths]
    assert order == sorted(order), name
    for path, required, maximum in sub_paths:  # a subset may tighten the UN message, never loosen it
        _path, un_required, un_max = un_paths[position[path]]
        assert (required or not un_required) and maximum <= un_max, (name, path)


@pytest.mark.parametrize(("directory", "expected"), [
    ("D93A", ["D96A", "D01B"]), ("D97B", ["D96A", "D01B"]), ("D03B", ["D01B", "D96A"]),
    ("D14B", ["D24A", "D01B"]), ("D24A", ["D24A"]), ("D01B", ["D01B"])])
def test_nearest_directories(directory: str, expected: list[str]) -> None:
    structures, _ = select_structures("INVOIC", directory, None)
    assert [s.directory for s in structures] == expected


def test_non_exact_version_demotes_what_only_one_directory_finds() -> None:
    # payment terms are PYT in D24A and PAT in D01B: a D14B invoice using PYT is only warned about
    msg = message("UNH+1+INVOIC:D:14B:UN'BGM+380+I1+9'DTM+137:20250101:102'PYT+1'"
                  "UNS+S'MOA+77:10'UNT+7+1'")
    problems = validate_message(msg)
    assert errors(problems) == []
    assert [(p.code, p.segment_position, p.severity) for p in problems if "D01B only" in p.message] == [
        ("UNEXPECTED_SEGMENT", 4, "warning")]


def test_forced_structure() -> None:
    msg = order()
    assert validate_message(msg, structure="orders_d24a") == []
    assert errors(validate_message(msg, structure="orders_d96a_ean008")) == []


# -- element checks --------------------------------------------------------------------------------

@pytest.mark.parametrize(("replace", "by", "expected"), [
    ("QTY+21:10:PCE'", "QTY+21:1O:PCE'", ("NOT_NUMERIC", 6, "QTY", "C186/6060")),
    ("QTY+21:10:PCE'", "QTY+21:1234567890123456'", ("TOO_LONG", 6, "QTY", "C186/6060")),
    ("QTY+21:10:PCE'", "QTY+21'", ("ELEMENT_MISSING", 6, "QTY", "C186/6060")),
    ("QTY+21:10:PCE'", "QTY+21:10:PCE:X'", ("TOO_MANY_COMPONENTS", 6, "QTY", "C186")),
    ("QTY+21:10:PCE'", "QTY+21:10:PCE+X'", ("TOO_MANY_ELEMENTS", 6, "QTY", None)),
    ("BGM+220+PO1+9'", "BGM+220+PO1+9999'", ("TOO_LONG", 2, "BGM", "1225")),
    ("NAD+BY+5412345000013::9'", "NAD++5412345000013::9'", ("ELEMENT_MISSING", 4, "NAD", "3035")),
    ("UNS+S'", "UNS+1'", ("NOT_ALPHABETIC", 8, "UNS", "0081")),
    ("PRI+AAA:12.5'", "PRI+AAA:1.2.5'", ("NOT_NUMERIC", 7, "PRI", "C509/5118")),
])
def test_element_checks(replace: str, by: str, expected: tuple[str, int, str, str | None]) -> None:
    assert errors(validate_message(order(replace, by))) == [expected]


@pytest.mark.parametrize("quantity", ["-12.5", "12,5", "123456789012345", "-1234567890123.45", ".5"])
def test_numbers_sign_and_decimal_mark_do_not_count(quantity: str) -> None:
    assert validate_message(order("QTY+21:10:PCE'", f"QTY+21:{quantity}:PCE'")) == []


def test_repetitions_are_split_when_the_interchange_uses_them() -> None:
    contact = "CTA+IC'COM+1:TE*2:FX*3:EM*4:AL'"  # COM allows C076 three times
    text = ORDER.replace("NAD+BY+5412345000013::9'", "NAD+BY+5412345000013::9'" + contact)
    msg = message(text.replace("ORDERS:D:96A:UN", "ORDERS:D:01B:UN"))
    problems = validate_message(msg, repetition="*")
    assert errors(problems) == [("TOO_MANY_REPETITIONS", 6, "COM", "C076")]


def test_repetitions_marked_by_the_tokenizer() -> None:
    # mappings.edifact.tokenizer gives a syntax 4 repetition as a component of its own (REPETITION_MARK)
    msg = message(ORDER.replace("ORDERS:D:96A:UN", "ORDERS:D:01B:UN").replace(
        "NAD+BY+5412345000013::9'", "NAD+BY+5412345000013::9'CTA+IC'COM+1:TE'"))
    com = msg.segments[5]
    com.elements = [["1", "TE", REPETITION_MARK, "2", "FX", REPETITION_MARK, "3", "EM"]]
    assert validate_message(msg) == []
    com.elements = [["1", "TE", REPETITION_MARK, "2", "FAXES"]]
    assert errors(validate_message(msg)) == [("TOO_LONG", 6, "COM", "C076/3155")]


def test_contrl_validates() -> None:
    msg = message("UNH+1+CONTRL:D:3:UN'UCI+1001+SENDER:14+RECIPIENT:14+7'UCM+1+ORDERS:D:96A:UN+4'"
                  "UCS+6+13'UCD+12+2:1'UNT+6+1'")
    assert validate_message(msg) == []


# -- the data files ---------------------------------------------------------------------------------

def test_every_structure_file_compiles_and_names_its_source() -> None:
    names = sorted(p.stem for p in STRUCTURES.glob("*.json") if not p.stem.startswith("segments_"))
    for required in ("orders", "ordrsp", "desadv", "invoic", "remadv", "aperak"):
        for directory in ("d96a", "d01b", "d24a"):
            assert f"{required}_{directory}" in names
    assert {"orders_d96a_ean008", "invoic_d96a_ean008", "remadv_d01b_ean005", "contrl_d3"} <= set(names)
    for name in names:
        structure = load_structure(name)
        assert structure.root.nodes[0].tag == "UNH" and structure.root.nodes[-1].tag == "UNT"
        assert '"_comment"' in (STRUCTURES / f"{name}.json").read_text()[:200]


def test_d01b_general_indicator_is_checked_by_its_d01b_layout() -> None:
    """GIS left the directory after D.01B: its elements come from the D.01B overlay."""
    invoice = ("UNH+1+INVOIC:D:01B:UN'BGM+380+INV1+9'DTM+137:20250101:102'GIS+{gis}'"
               "UNS+S'MOA+77:10'UNT+7+1'")
    assert errors(validate_message(message(invoice.format(gis="37")))) == []
    assert errors(validate_message(message(invoice.format(gis="3777")))) == [
        ("TOO_LONG", 4, "GIS", "C529/7365")]
    assert errors(validate_message(message(invoice.format(gis=":ZZ")))) == [
        ("ELEMENT_MISSING", 4, "GIS", "C529/7365")]
