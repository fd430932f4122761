"""Mutated segments thrown at every parse: only hub errors escape, each naming where and why."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.errors import MappingError, ValidationError
from mappings.edifact import desadv, invoic, invrpt, orders, ordrsp, pricat, remadv
from mappings.edifact.model import Message, Segment
from tests.unit.edifact._adapter import load
from tests.unit.edifact._profiles import FIXTURES, profile_for

PARSERS = {"ORDERS": orders.parse, "ORDRSP": ordrsp.parse, "DESADV": desadv.parse, "INVOIC": invoic.parse,
           "REMADV": remadv.parse, "PRICAT": pricat.parse, "INVRPT": invrpt.parse}
SEEDS = [(path, load(path).messages[0]) for path in sorted(FIXTURES.glob("*.edi"))]
TAGS = ["BGM", "DTM", "RFF", "NAD", "LIN", "PIA", "IMD", "QTY", "PRI", "MOA", "TAX", "ALC", "PAT", "PYT",
        "PCD", "CUX", "FII", "PAI", "UNS", "CNT", "CPS", "PAC", "GIN", "DOC", "AJT", "FTX", "CTA", "COM",
        "RNG", "PGI", "LOC", "INV", "ZZZ"]
junk = st.text(alphabet=st.sampled_from(list("0123456789.,-+:ABCZ?$ éx")), max_size=14)
elements = st.lists(st.lists(junk, min_size=1, max_size=6), max_size=9)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[int, Message]:
    index = draw(st.integers(0, len(SEEDS) - 1))
    message = copy.deepcopy(SEEDS[index][1])
    for _ in range(draw(st.integers(1, 4))):
        body = len(message.segments) - 1
        pos = draw(st.integers(1, max(1, body - 1)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "tweak"]))
        if action == "replace":
            message.segments[pos] = Segment(draw(st.sampled_from(TAGS)), draw(elements))
        elif action == "insert":
            message.segments.insert(pos, Segment(draw(st.sampled_from(TAGS)), draw(elements)))
        elif action == "delete" and len(message.segments) > 3:
            del message.segments[pos]
        else:
            seg = message.segments[pos]
            if seg.elements:
                e = draw(st.integers(0, len(seg.elements) - 1))
                c = draw(st.integers(0, len(seg.elements[e]) - 1))
                seg.elements[e][c] = draw(junk)
    return index, message


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations(), st.sampled_from(sorted(PARSERS)))
def test_mutated_messages_raise_only_named_hub_errors(case: tuple[int, Message], family: str) -> None:
    index, message = case
    path = SEEDS[index][0]
    try:
        PARSERS[family](message, profile_for(path), decimal_mark=",")
    except (MappingError, ValidationError) as exc:
        assert exc.problems, exc
        for problem in exc.problems:
            assert problem.message_ref == message.reference
            assert problem.segment_tag or problem.element  # where
            assert problem.message  # why
            if problem.segment_position is not None:
                seg = message.segments[problem.segment_position - 1]
                assert seg.tag == problem.segment_tag
