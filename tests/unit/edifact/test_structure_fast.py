"""The generated fast segment checks: a segment they pass has no problem the detailed checks find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.errors import Problem
from mappings.edifact import structure
from mappings.edifact.segment_specs import known_directories

# Without a repetition separator (the only case the fast checks serve): no REPETITION_MARK components.

_VALUES = st.sampled_from(["", "1", "12", "-1.5", "1,5", "12.", ".5", "A", "ABC", "A1", "x" * 3, "x" * 4,
                           "x" * 35, "x" * 36, "9" * 15, "9" * 16, "١٢", "é"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(known_directories())), st.data())
def test_the_fast_segment_check_passes_only_what_the_detailed_checks_pass(directory: str,
                                                                          data: st.DataObject) -> None:
    specs = structure._compiled_specs(directory)
    tag = data.draw(st.sampled_from(sorted(specs)))
    spec = specs[tag]
    widths = [len(p[4]) for p in spec] + [1]
    elements = [data.draw(st.lists(_VALUES, min_size=1, max_size=widths[min(k, len(spec))] + 1))
                for k in range(data.draw(st.integers(0, len(spec) + 1)))]
    if structure._fast_specs(directory)[tag](elements):
        found: list[Problem] = []
        structure._check_elements(elements, spec, tag, 2, "1", None, found)
        assert found == []
