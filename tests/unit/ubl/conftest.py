"""Shared helpers for the UBL tests: the independent validator the suite carries (tests/conformance/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.conformance import UBL_CORPUS as CORPUS
from tests.support.conformance import oracle_fatal, oracle_module

__all__ = ["CORPUS", "oracle", "oracle_fatal"]


@pytest.fixture(scope="session")
def oracle() -> Any:
    """The official validator (OASIS XSD + CEN EN 16931 XSLT), tests/conformance/oracles/validate.py."""
    return oracle_module().Validator()
