"""Golden files: every fixture in fixtures/edifact maps to the canonical JSON beside it.

Run with UPDATE_GOLDEN=1 to rewrite the expected files after an intended change (then review the diff).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from hub.domain.codec import dumps
from tests.unit.edifact._profiles import FIXTURES, profile_for
from tests.unit.edifact._util import parse_file

FILES = sorted(FIXTURES.glob("*.edi"))


def test_there_are_fixtures_for_every_message_family() -> None:
    names = " ".join(p.name for p in FILES)
    for family in ("orders", "ordrsp", "desadv", "invoic", "remadv", "ordchg"):
        assert f"_{family}_" in names


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fixture_maps_to_its_expected_json(path: Path) -> None:
    docs = parse_file(path, profile_for(path))
    assert len(docs) == 1
    actual = dumps(docs[0])
    expected_path = path.with_suffix(".expected.json")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"{expected_path.name} is missing: run with UPDATE_GOLDEN=1 and review it"
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              str(expected_path.name), "actual", lineterm=""))
        pytest.fail(f"{path.name} no longer maps to its expected JSON:\n{diff}")
