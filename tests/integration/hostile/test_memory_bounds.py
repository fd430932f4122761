"""A hostile file of any shape is processed in bounded memory and time, and ends failed, named.

One child process (run_shape.py, on a SQLite database of its own) receives and processes a 20 MB
file of each shape in turn and reports, per file, the peak resident size its processing reached:
the hub's imports, the file and the processing together, and the peaks of the mapping workers
and their fork server when a pool is used. The issue's bound is 1 GB for all of them together;
measured here: 220-340 MB in the process (about 155 MB of it the imports), under 100 MB more
for the workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RUNNER = Path(__file__).resolve().parent / "run_shape.py"
SIZE = 20_000_000
BOUND_MB = 1000  # the bound for the hub's processes together
MEASURED_MB = 500  # what we hold ourselves to: a 20 MB file costs 220-390 MB in all
SECONDS = 30  # per file; generous, the machine is shared (alone each takes 0.3-4 s)

EDIFACT = {
    "tiny_segments": "TOO_MANY_SEGMENTS",  # was 10.8-11.1 GB and 188 s
    "empty_segments": "TOO_MANY_EMPTY_SEGMENTS",  # was 4.1 GB
    "empty_segments_in_message": "TOO_MANY_EMPTY_SEGMENTS",  # was 2.0 GB
    "element_flood": "TOO_MANY_ELEMENTS",  # was 2.6 GB
    "component_flood": "TOO_MANY_COMPONENTS",
    "huge_segment": "ELEMENT_TOO_LONG",
    "many_messages": "TOO_MANY_MESSAGES",
}
XML = {
    "tiny_xml_elements": "XML_TOO_MANY_ELEMENTS",  # was 1.16 GB before it was refused
    "deep_xml": "XML_TOO_DEEP",
}
POOLED = ("huge_plain_segment", 2)  # split in a worker process


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], dict[str, Any]]:
    """Every shape processed once, in one child process: its outcome by (shape, workers)."""
    specs = [f"{shape}:{SIZE}" for shape in [*EDIFACT, *XML]]
    specs.append(f"{POOLED[0]}:{SIZE}:{POOLED[1]}")
    done = subprocess.run([sys.executable, str(RUNNER), str(tmp_path_factory.mktemp("hostile")),
                           *specs], capture_output=True, text=True, check=False,
                          timeout=SECONDS * len(specs))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {(o["shape"], o["workers"]): o for o in lines}


def _failed_named(outcome: dict[str, Any], code: str, problem: str) -> None:
    assert outcome["state"] == "failed", outcome
    assert outcome["code"] == code, outcome
    assert outcome["problems"][0] == problem, outcome
    assert outcome["seconds"] < SECONDS, outcome
    assert outcome["rss_mb"] + outcome["workers_mb"] < MEASURED_MB < BOUND_MB, outcome


@pytest.mark.parametrize(("shape", "problem"), EDIFACT.items())
def test_a_20_mb_hostile_edifact_file_fails_named_in_bounded_memory(outcomes, shape, problem):
    _failed_named(outcomes[shape, 0], "LIMIT_EXCEEDED", problem)


def test_a_rejection_by_limit_still_counts_the_problems_found_before(outcomes):
    outcome = outcomes["tiny_segments", 0]
    assert outcome["problems"][1] == "INVALID_TAG"  # `A` is no segment tag
    assert outcome["problems_total"] > 200_000  # one per stray segment read before the limit
    assert "HUB_MAX_MESSAGE_SEGMENTS" in outcome["message"]


def test_a_segment_split_in_a_worker_process_is_bounded_too(outcomes):
    outcome = outcomes[POOLED]
    _failed_named(outcome, "LIMIT_EXCEEDED", "ELEMENT_TOO_LONG")
    assert outcome["workers_mb"] > 0, outcome  # the pool did the splitting


@pytest.mark.parametrize(("shape", "problem"), XML.items())
def test_a_20_mb_hostile_xml_file_fails_named_in_bounded_memory(outcomes, shape, problem):
    _failed_named(outcomes[shape, 0], "VALIDATION_ERROR", problem)
