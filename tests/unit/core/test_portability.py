"""The project names no absolute path of a machine, and carries every conformance file its tests use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import conformance
from tests.support.portability import EXAMPLE_MARK, machine_paths, violations

ROOT = Path(__file__).resolve().parents[3]
ROOT_W = "/" + "work"  # machine paths below are built, so none stands literally in this file
CHECKED = ("tests", "hub", "mappings", "connectors", "bench")


def test_no_file_names_an_absolute_path_of_a_machine() -> None:
    assert violations(ROOT, CHECKED) == []


@pytest.mark.parametrize("line", [
    'CORPUS = Path("' + ROOT_W + "/shared" + "/corpus" + '/edifact")',
    "ORACLE = '" + "/home" + "/dev/shared/oracles/validate.py'",
    "see /root/.cache/hub/x.db",  # portability: deliberate example
    r'open("C:\\Users\\dev\\hub.db")',  # portability: deliberate example
    "/opt" + "/hub" + "/instance" + "/hub.db",
])
def test_a_machine_path_is_found(line: str) -> None:
    assert machine_paths(line)


@pytest.mark.parametrize("line", [
    'CHROMIUM = "/usr/bin/chromium"', "open('/etc/passwd')", "/dev/null", "/proc/self/status",
    'url = "/api/v1/exchanges"', "http://127.0.0.1:5000/work/items", "tmp = '/tmp/x'",
    "relative = ROOT / 'work' / 'shared'",
])
def test_system_and_url_paths_are_not_machine_paths(line: str) -> None:
    assert machine_paths(line) == []


def test_the_checkout_location_itself_is_found_wherever_it_is(tmp_path: Path) -> None:
    checkout = tmp_path / "clone"
    (checkout / "tests").mkdir(parents=True)
    (checkout / "tests" / "test_x.py").write_text(f'DATA = "{checkout}/fixtures/a.edi"\n')
    (checkout / "tests" / "ok.py").write_text('DATA = Path(__file__).parent / "fixtures"\n')
    (checkout / "tests" / "tmp.py").write_text(f'SCRATCH = "{tmp_path}/scratch"\n')  # beside it: fine
    assert violations(checkout, ["tests"]) == [f"tests/test_x.py:1: {checkout}"]


def test_a_deliberate_violation_in_the_tree_fails_the_check(tmp_path: Path) -> None:
    checkout = tmp_path / "clone"
    for folder in CHECKED:
        (checkout / folder).mkdir(parents=True)
    bad = '"' + ROOT_W + "/shared" + '/oracles"'
    (checkout / "bench" / "b.py").write_text(f"SHARED = {bad}\n")
    (checkout / "hub" / "ok.py").write_text(f"SHARED = {bad}  {EXAMPLE_MARK}\n")
    assert violations(checkout, CHECKED) == [f"bench/b.py:1: {bad.strip(chr(34))}"]


def test_the_conformance_folder_holds_every_file_the_tests_count() -> None:
    edifact = conformance.corpus_files(conformance.EDIFACT_CORPUS, "*/*", expected=15)
    ubl = conformance.corpus_files(conformance.UBL_CORPUS, "*/*.xml", expected=21)
    sources = (conformance.CORPUS / "SOURCES.tsv").read_text().splitlines()[1:]
    listed = {line.split("\t")[0] for line in sources}
    assert {str(p.relative_to(conformance.CORPUS)) for p in edifact + ubl} == listed
    assert conformance.ORACLE.is_file()


def test_a_corpus_glob_that_finds_nothing_fails(tmp_path: Path) -> None:
    with pytest.raises(conformance.MissingConformanceFiles, match="expected 3 files, found 0"):
        conformance.corpus_files(tmp_path, "*.edi", expected=3)


def test_the_oracle_runs_from_the_suites_own_copy(tmp_path: Path) -> None:
    example = conformance.corpus_file("ubl/en16931/ubl-tc434-example1.xml")
    validator = conformance.oracle_module().Validator()
    assert conformance.oracle_fatal(validator, example.read_bytes(), tmp_path, "ok.xml") == []
    broken = example.read_bytes().replace(b"<cbc:IssueDate>", b"<cbc:IssueDate>x", 1)
    assert conformance.oracle_fatal(validator, broken, tmp_path, "broken.xml")
