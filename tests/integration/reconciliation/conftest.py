"""Reconciliation fixtures: the bank files and reading back what was stored (statement import); the
realistic scenario built once per test on a fresh database (matching); staff headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.reconciliation.models import BankStatement, StatementEntry
from tests.support import reconciliation

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

@pytest.fixture
def scenario(app: Flask, make_user: Any) -> dict[str, Any]:
    with app.app_context(), new_session() as session:
        built = reconciliation.realistic(session)
        session.commit()
        numbers = {k: v.number for k, v in built.invoices.items()}
        ids = {k: v.id for k, v in built.invoices.items()}
        partner_ids = {k: v.id for k, v in built.partners.items()}
    return {"numbers": numbers, "ids": ids, "partners": partner_ids,
            "admin": make_user("boss", "admin"), "operator": make_user("ana", "operator"),
            "auditor": make_user("eve", "auditor")}
