"""Statement import fixtures: the bank files, staff tokens, and reading back what was stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.reconciliation.models import BankStatement, StatementEntry

BANK = Path(__file__).resolve().parents[3] / "fixtures" / "bank"


def bank_file(name: str) -> bytes:
    return (BANK / name).read_bytes()


@pytest.fixture
def staff(make_user: Any) -> dict[str, dict[str, str]]:
    return {role: make_user(role, role) for role in ("admin", "operator", "auditor")}


def stored(app: Flask) -> tuple[list[BankStatement], list[StatementEntry]]:
    with new_session(app) as session:
        statements = list(session.scalars(select(BankStatement).order_by(BankStatement.id)))
        entries = list(session.scalars(select(StatementEntry).order_by(StatementEntry.id)))
        session.expunge_all()
    return statements, entries
