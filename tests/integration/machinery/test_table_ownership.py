"""The run-time half of "only a table's own capability writes it" (tests/support/ownership.py): each
kind of write made by code of one capability into another's table is named with its file and line,
and the same write by the owner, or by code of no capability, is not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from hub.db import new_session
from tests.support import ownership

WRITES = {
    "an ORM row made": "session.add(Company(name='x', country='BR', identifiers=[]))",
    "a column set on a loaded row": "session.get(Partner, partner_id).name = 'renamed'",
    "a row deleted": "session.delete(session.scalars(select(ApiCredential)).first())",
    "an ORM update statement": "session.execute(update(Partner).values(name=Partner.name))",
    "a text statement": "session.execute(text('UPDATE partners SET name = name'))",
    "a bulk insert (hub.bulk writes for its caller)":
        "insert_rows(session, Company, [{'name': 'y', 'country': 'BR', 'identifiers': []}])",
}


def _run(app: Flask, module: str, code: str, partner_id: int) -> list[str]:
    """Run `code` as if it were a line of `module` (its own file name), then roll back."""
    from sqlalchemy import select, text, update

    from hub.bulk import insert_rows
    from hub.partners.models import ApiCredential, Company, Partner

    with app.app_context(), new_session() as session:
        scope: dict[str, Any] = {"__name__": module, "session": session, "partner_id": partner_id,
                                 "Company": Company, "Partner": Partner, "update": update, "text": text,
                                 "insert_rows": insert_rows, "select": select, "ApiCredential": ApiCredential}
        exec(compile(code, module.replace(".", "/") + ".py", "exec"), scope)
        session.flush()
        session.rollback()
    return ownership.take()


@pytest.mark.parametrize("code", WRITES.values(), ids=WRITES.keys())
def test_a_write_into_another_capabilitys_table_is_named(app: Flask, make_partner: Any, code: str) -> None:
    partner = make_partner("acme")
    found = _run(app, "hub.reconciliation.example", code, partner.id)
    assert found, "not seen"
    assert all(f.startswith("hub/reconciliation/example.py:1: reconciliation ") for f in found), found
    assert any(f.endswith("a table of partners") for f in found), found


@pytest.mark.parametrize("module", ["hub.partners.example", "hub.api.example", "tests.example"])
@pytest.mark.parametrize("code", WRITES.values(), ids=WRITES.keys())
def test_the_owner_or_code_of_no_capability_writes_freely(app: Flask, make_partner: Any, module: str,
                                                          code: str) -> None:
    partner = make_partner("acme")
    assert _run(app, module, code, partner.id) == []
