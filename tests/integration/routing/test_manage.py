"""Managing the rules: admins change them, operators and auditors read them, partners do neither;
each refusal names its field; the commands print headers and refuse in one line."""

from __future__ import annotations

from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent


def test_admins_manage_rules_operators_read_partners_are_refused(app, client, make_partner,
                                                                 make_user, make_erp) -> None:
    partner = make_partner("buyer")
    make_erp("erp1")
    admin, operator = make_user("root", "admin"), make_user("ops", "operator")
    rule = {"from": "buyer", "type": "invoice", "connectors": ["erp1"]}
    assert client.post("/api/v1/routing/rules", json=rule, headers=operator).status_code == 403
    assert client.get("/api/v1/routing/rules", headers=partner.headers).status_code == 403
    created = client.post("/api/v1/routing/rules", json=rule, headers=admin)
    assert created.status_code == 201
    shown = client.get(f"/api/v1/routing/rules/{created.json['id']}", headers=operator).json
    assert shown["from"]["name"] == "buyer" and shown["to"] is None and shown["test"] == "no"
    assert [c["name"] for c in shown["connectors"]] == ["erp1"]

    changed = client.put(f"/api/v1/routing/rules/{shown['id']}",
                         json={**rule, "test": "any", "type": "any"}, headers=admin)
    assert changed.status_code == 200 and changed.json["type"] is None
    assert changed.json["test"] == "any" and changed.json["position"] == shown["position"]
    assert client.delete(f"/api/v1/routing/rules/{shown['id']}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/routing/rules/{shown['id']}", headers=admin).status_code == 404
    with app.app_context(), new_session() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "routing_rule").order_by(AuditEvent.id)).all()
    assert actions == ["routing.rule_added", "routing.rule_changed", "routing.rule_removed"]


def test_a_bad_rule_is_refused_naming_each_field(client, make_user, make_erp) -> None:
    make_erp("erp1")
    admin = make_user("root", "admin")
    bad = client.post("/api/v1/routing/rules", json={"from": "nobody", "type": "telegram",
                                                     "connectors": ["erp9"]}, headers=admin)
    assert bad.status_code == 422
    named = {p["element"]: p["message"] for p in bad.json["error"]["problems"]}
    assert set(named) == {"from", "type", "connectors"} and "'nobody'" in named["from"]
    none = client.post("/api/v1/routing/rules", json={"type": "invoice"}, headers=admin)
    assert none.status_code == 422 and "a target" in none.json["error"]["message"]
    assert client.post("/api/v1/routing/rules", json=[1], headers=admin).status_code == 400
    assert client.get("/api/v1/routing/rules/99999999999", headers=admin).status_code == 404


def test_the_commands_add_list_and_remove_rules(app, runner, make_partner, make_erp) -> None:
    make_partner("buyer")
    make_partner("supplier", roles=("supplier",))
    make_erp("erp1")
    added = runner.invoke(args=["hub", "route-add", "--from", "buyer", "--to", "supplier",
                                "--type", "purchase_order", "--test", "any", "--connector", "erp1",
                                "--partner", "supplier"])
    assert added.exit_code == 0, added.output
    assert added.output.startswith("rule 1 at position 10")
    listed = runner.invoke(args=["hub", "route-list"]).output.splitlines()
    assert listed[0].split("\t")[:6] == ["id", "position", "from", "to", "type", "test"]
    assert listed[1].split("\t")[:8] == ["1", "10", "buyer", "supplier", "purchase_order", "any",
                                         "erp1", "supplier"]
    refused = runner.invoke(args=["hub", "route-add", "--type", "invoice", "--connector", "nope"])
    assert refused.exit_code == 2
    assert refused.output.strip() == "error: routing rule refused: connectors: no connector 'nope'"
    assert runner.invoke(args=["hub", "route-remove", "1"]).exit_code == 0
    assert runner.invoke(args=["hub", "route-list"]).output.splitlines()[1:] == []
    assert runner.invoke(args=["hub", "route-remove", "1"]).exit_code == 2
