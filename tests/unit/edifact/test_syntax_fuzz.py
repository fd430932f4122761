"""Junk and mutated corpus files thrown at the parser: only ValidationError may escape."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.errors import ValidationError
from mappings.edifact.contrl import render_contrl
from mappings.edifact.envelope import parse_interchange
from tests.support.conformance import EDIFACT_CORPUS, corpus_files
from tests.unit.edifact.test_streaming import same_when_lazy

CORPUS = [p.read_bytes() for p in corpus_files(EDIFACT_CORPUS, "*/*", expected=15)]
SERVICE = [b"'", b"+", b":", b"?", b"*", b"UNA:+.? '", b"UNB+", b"UNH+", b"UNT+", b"UNZ+", b"UNG+",
           b"UNE+", b"UNO+", b"UNP+", b"\r\n", b"\xff", b"\xc3", b"\x00"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _survives(data: bytes) -> None:
    try:
        interchange = parse_interchange(data)
    except ValidationError as exc:
        assert exc.problems, "a ValidationError must name its problems"
        return
    for problem in interchange.problems:
        assert problem.code and problem.message
    render_contrl(interchange, interchange.problems, control_ref="1")  # a CONTRL can always be written


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _survives(data)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(SERVICE), st.binary(max_size=8)), max_size=40))
def test_random_service_fragments(parts: list[bytes]) -> None:
    _survives(b"UNB+UNOC:3+S+R+250101:1200+1'" + b"".join(parts))


@SETTINGS
@given(st.sampled_from(CORPUS), st.data())
def test_mutated_corpus_files(original: bytes, data: st.DataObject) -> None:
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        at = data.draw(st.integers(0, max(len(mutated) - 1, 0)))
        if kind == "flip" and mutated:
            mutated[at] = data.draw(st.integers(0, 255))
        elif kind == "truncate":
            del mutated[at:]
        elif kind == "insert":
            mutated[at:at] = data.draw(st.one_of(st.sampled_from(SERVICE), st.binary(min_size=1, max_size=6)))
        elif mutated:
            del mutated[at: at + data.draw(st.integers(1, 20))]
    _survives(bytes(mutated))


@SETTINGS
@given(st.sampled_from(CORPUS), st.data())
def test_mutated_corpus_files_read_lazily_as_in_full(original: bytes, data: st.DataObject) -> None:
    """What the worker processes split later must be what a full read splits now."""
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, max(len(mutated) - 1, 0)))
        mutated[at:at + data.draw(st.integers(0, 3))] = data.draw(
            st.one_of(st.sampled_from(SERVICE), st.binary(max_size=4)))
    same_when_lazy(bytes(mutated))
