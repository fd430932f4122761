"""The tokenizer: same segments as pydifact on the corpus, released characters, defects with positions."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hub.domain.errors import ValidationError
from mappings.edifact.model import Segment, Separators
from mappings.edifact.tokenizer import REPETITION_MARK, read_una, repetitions, to_decimal, tokenize
from tests.support.conformance import EDIFACT_CORPUS, corpus_files

CORPUS_FILES = corpus_files(EDIFACT_CORPUS, "*/*", expected=15)


def _pydifact_shape(element: list[str], repetition: str) -> str | list[str]:
    """Our element as pydifact gives it: repetitions unsplit, trailing empty components dropped."""
    comps: list[str] = []
    glue = False
    for component in element:
        if component == REPETITION_MARK:
            glue = True
            continue
        if glue:
            comps[-1] += repetition + component
            glue = False
        else:
            comps.append(component)
    while comps and comps[-1] == "":
        comps.pop()
    if not comps:
        return ""
    return comps[0] if len(comps) == 1 else comps


def _pydifact_segments(text: str) -> tuple[list[Any], Exception | None]:
    from pydifact.parser import Parser

    out: list[Any] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for segment in Parser().parse(text):
                if segment.tag != "UNA":
                    out.append(segment)
        except Exception as exc:
            return out, exc
    return out, None


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _separators_for(text: str) -> tuple[Separators, int]:
    version = "4" if "UNOA:4" in text[:40] or "UNOC:4" in text[:40] or "UNOW:4" in text[:40] else "3"
    default = Separators(repetition="*") if version == "4" else Separators()
    return read_una(text, default)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_segments_as_pydifact_on_every_corpus_file(path: Path) -> None:
    text = _text(path)
    seps, offset = _separators_for(text)
    problems: list = []
    ours = tokenize(text, seps, start=offset, problems=problems)
    theirs, error = _pydifact_segments(text)
    assert problems == []
    if error is not None:
        # pydifact cannot read a syntax 4 package (UNO ... UNP): compare up to it, then check ours
        assert theirs[-1].tag == "UNO"
        assert ours[len(theirs)].tag == "UNP"
    else:
        assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs, strict=False):
        assert mine.tag == other.tag
        elements = mine.elements[:-1] if mine.tag == "UNO" else mine.elements  # the object is ours only
        assert [_pydifact_shape(e, seps.repetition) for e in elements] == other.elements, mine


def test_positions_are_one_based_and_ignore_line_breaks() -> None:
    segments = tokenize("UNB+UNOC:3'\r\nUNH+1+ORDERS:D:96A:UN'\n  BGM+220'", Separators())
    assert [(s.tag, s.position) for s in segments] == [("UNB", 1), ("UNH", 2), ("BGM", 3)]


def test_released_separators_and_release_character_are_data() -> None:
    [segment] = tokenize("FTX+AAA+++10?+10?=20?:ok?'s ??:x'", Separators())
    assert segment.elements == [["AAA"], [""], [""], ["10+10=20:ok's ?", "x"]]


def test_even_run_of_release_characters_does_not_release_the_terminator() -> None:
    segments = tokenize("FTX+A??'BGM+1'", Separators())
    assert [s.tag for s in segments] == ["FTX", "BGM"]
    assert segments[0].elements == [["A?"]]


def test_empty_elements_and_components_are_empty_strings() -> None:
    [segment] = tokenize("NAD+BY+123::9++'", Separators())
    assert segment.elements == [["BY"], ["123", "", "9"], [""], [""]]
    assert segment.get(1, 2) == "9"
    assert segment.get(1, 1, "none") == "none"


def test_syntax4_repetition_separator_gives_marker_between_occurrences() -> None:
    seps = Separators(repetition="*")
    [segment] = tokenize("COM+s11:AA*s21:AA*s?*1:TE'", seps)
    assert segment.elements == [["s11", "AA", REPETITION_MARK, "s21", "AA", REPETITION_MARK, "s*1", "TE"]]
    assert repetitions(segment.elements[0]) == [["s11", "AA"], ["s21", "AA"], ["s*1", "TE"]]


def test_una_changes_every_separator() -> None:
    text = "UNA|*,# !UNB*UNOC|3!FTX*a#!b#*c|d!"
    seps, offset = read_una(text)
    assert (seps.component, seps.element, seps.decimal) == ("|", "*", ",")
    assert (seps.release, seps.segment) == ("#", "!")
    segments = tokenize(text, seps, start=offset)
    assert segments[1].elements == [["a!b*c", "d"]]


def test_una_after_bom_and_whitespace_is_read() -> None:
    seps, offset = read_una("\ufeff \nUNA:+,? 'UNB+UNOC:3'")
    assert seps.decimal == ","
    assert offset == 12


@pytest.mark.parametrize("una", ["UNA::.? '", "UNA:+.:'", "UNA:+x? '", "UNA:+;? '"])
def test_unusable_una_is_rejected(una: str) -> None:
    with pytest.raises(ValidationError) as info:
        read_una(una + "UNB+UNOC:3'")
    assert info.value.problems[0].code == "UNA_INVALID"


def test_truncated_last_segment_is_a_problem_with_position_and_tag() -> None:
    problems: list = []
    segments = tokenize("UNH+1+ORDERS:D:96A:UN'BGM+220+PO", Separators(), problems=problems)
    assert [s.tag for s in segments] == ["UNH"]
    [problem] = problems
    assert (problem.code, problem.segment_position, problem.segment_tag) == ("TRUNCATED_SEGMENT", 2, "BGM")


def test_release_character_at_the_very_end_is_a_problem() -> None:
    problems: list = []
    tokenize("UNH+1'FTX+AAA+++50?", Separators(), problems=problems)
    assert [(p.code, p.segment_position, p.segment_tag) for p in problems] == [("RELEASE_AT_END", 2, "FTX")]


def test_unescaped_release_that_swallows_the_terminator_is_named() -> None:
    problems: list = []
    segments = tokenize("UNH+1'FTX+AAA+++50%?'", Separators(), problems=problems)
    assert [s.tag for s in segments] == ["UNH"]
    assert problems[0].code == "TRUNCATED_SEGMENT"
    assert "released" in problems[0].message


def test_junk_where_a_tag_should_be_is_named_and_kept_for_counting() -> None:
    problems: list = []
    segments = tokenize("UNH+1'\x00\x01garbage+1'BGM+220'", Separators(), problems=problems)
    assert [s.position for s in segments] == [1, 2, 3]
    assert [(p.code, p.segment_position) for p in problems] == [("INVALID_TAG", 2)]


def test_without_a_problem_list_defects_raise_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        tokenize("UNH+1'BGM+2", Separators())
    assert info.value.problems[0].code == "TRUNCATED_SEGMENT"


def test_package_object_stays_one_value() -> None:
    text = "UNT+2+1'UNO+P1+1:Doc1+13:application/pdf+6'AB'C+DUNP+6+P1'UNZ+1+1'"
    segments = tokenize(text, Separators(repetition="*"))
    assert [s.tag for s in segments] == ["UNT", "UNO", "UNP", "UNZ"]
    assert segments[1].elements[-1] == ["AB'C+D"]


@pytest.mark.parametrize(("value", "decimal", "expected"), [
    ("12.50", ".", Decimal("12.50")), ("19,9", ",", Decimal("19.9")), ("19.9", ",", Decimal("19.9")),
    ("-3", ".", Decimal("-3")), ("1020", ".", Decimal("1020")),
])
def test_to_decimal_accepts_point_and_the_una_mark(value: str, decimal: str, expected: Decimal) -> None:
    assert to_decimal(value, Separators(decimal=decimal)) == expected


@pytest.mark.parametrize("value", ["1020A", "$1.179", "", "1,5", ",5", "1.000,5", "1e3", "+1"])
def test_to_decimal_rejects_what_is_not_an_edifact_number(value: str) -> None:
    segment = Segment("QTY", [["47", value]], position=11)
    with pytest.raises(ValidationError) as info:
        to_decimal(value, Separators(), segment=segment, element="C186/6060")
    problem = info.value.problems[0]
    assert (problem.code, problem.segment_position, problem.segment_tag, problem.element) == (
        "NOT_NUMERIC", 11, "QTY", "C186/6060")
    assert repr(value) in problem.message
