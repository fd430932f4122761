"""Who may see and do what, generated from the app's URL map: every endpoint, every kind of caller.

Each endpoint of the URL map must be known here (what it needs, and what objects its path names); an
endpoint this module does not know fails the test, naming it, so a new endpoint is covered without
anyone remembering to. For each (endpoint, caller) pair the test asserts what the caller would see:
- no token: 401 (a page: the sign-in page);
- a caller without the permission: 403 (the route itself is no secret);
- a partner or a connector naming another's object: 404, never 403 (no hint that it exists), and
  an action on another's object changes nothing;
- a partner's or a connector's list: its own rows only; staff lists: everyone's.
The callers: partner `acme` (against `bolt`), ERP connector `erp-a` (against `erp-b`), the staff
roles admin, operator and auditor, and nobody. SOAP (mounted beside the URL map) is checked too.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.access import Permission, may, roles_with
from hub.db import new_session
from hub.domain.principals import Principal, Role
from hub.erp.connectors import ConnectorSpec, add_connector, issue_connector_token
from hub.exchanges.documents import enqueue_ids
from hub.models import Document, Exchange, OutboxEntry
from tests.integration.api.test_mailbox import outbound_file
from tests.integration.api.test_receive import interchange
from tests.support.admin import enrolled_user, page_token, sign_in
from tests.support.exchanges import post, process

STAFF = ("admin", "operator", "auditor")
CALLERS = ("partner", "connector", *STAFF, "nobody")
MISSING = "999999"  # an id no row has: staff-only paths name it (a partner is refused before lookup)

P, R = Permission, Permission.read


@dataclass(frozen=True)
class Spec:
    """What the test knows of an endpoint: the permissions it needs (any one; empty: public), the
    kind of owned object its path names (`exchange`, `file`, `document`, `outbox`), the kind of owned
    rows its list shows, ids in its body that name owned objects, and fixed values for other path
    parameters."""

    needs: tuple[Permission, ...] = ()
    owned: str | None = None
    lists: str | None = None
    acks: str | None = None
    params: dict[str, str] = field(default_factory=dict)


PUBLIC = Spec()
# the admin pages: their `admin_roles` must be the roles the access rule grants this permission
PAGE = {perm: Spec(needs=(perm,)) for perm in Permission}

KNOWN: dict[str, Spec] = {
    # public: liveness, docs, static files, the sign-in and enrolment pages
    "health.healthz": PUBLIC, "health.readyz": PUBLIC, "health.metrics": PUBLIC,
    "openapi.docs": PUBLIC, "openapi.docs_bundle": Spec(params={"asset": "nothing.js"}),
    "openapi.spec": PUBLIC, "static": Spec(params={"filename": "nothing.css"}),
    "admin.static": Spec(params={"filename": "nothing.css"}),
    "admin.sign_in": PUBLIC, "admin.sign_in_code": PUBLIC, "admin.sign_out": PUBLIC,
    "admin.enrol": Spec(params={"token": "nothing"}),
    # exchanges and documents: a partner's own, every partner's for staff
    "exchanges.list_exchanges": Spec((R,), lists="exchange"),
    "exchanges.get_exchange": Spec((R,), owned="exchange"),
    "exchanges.get_raw": Spec((R,), owned="exchange"),
    "exchanges.post_exchange": Spec((P.post_files,)),
    "exchanges.reprocess_exchange": Spec((P.operate,), params={"exchange_id": MISSING}),
    "documents.list_documents": Spec((R,), lists="document"),
    "documents.get_document": Spec((R,), owned="document"),
    "documents.render_document": Spec((R,), owned="document"),
    "documents.release_document": Spec((P.operate,), params={"document_id": MISSING}),
    "mailbox.list_mailbox": Spec((P.post_files,), lists="file"),
    "mailbox.get_file": Spec((P.post_files,), owned="file"),
    "mailbox.ack": Spec((P.post_files,), acks="file"),
    # the ERP's outbox: a connector's own documents
    "outbox.fetch": Spec((P.erp,), lists="outbox"),
    "outbox.get_document": Spec((P.erp,), owned="outbox"),
    "outbox.ack": Spec((P.erp,), acks="outbox"),
    "outbox.list_deliveries": Spec((P.read_all,)),
    "outbox.redeliver_view": Spec((P.operate,), params={"delivery_id": MISSING}),
    "erp.post_invoices": Spec((P.erp,)), "erp.post_stock_levels": Spec((P.erp,)),
    "erp_v2.post_invoices": Spec((P.erp,)),
    # audit
    "audit.list_events": Spec((P.read_audit,)), "audit.export": Spec((P.read_audit,)),
    # invoicing
    "invoicing.add_company": Spec((P.operate,)), "invoicing.list_companies": Spec((P.read_all,)),
    "invoicing.issue_invoice": Spec((P.operate, P.erp)),
    "invoicing.list_invoices": Spec((P.read_all,)),
    "invoicing.invoice_detail": Spec((P.read_all,), params={"invoice_id": MISSING}),
    **{f"invoicing.{name}": Spec((P.operate,), params={"invoice_id": MISSING})
       for name in ("cancel_invoice", "credit_invoice", "reissue_invoice", "resend_invoice")},
    "invoicing.invoice_order": Spec((P.operate, P.erp), params={"document_id": MISSING}),
    # procurement
    "procurement.list_rows": Spec((P.read_all,), params={"kind": "items"}),
    "procurement.upsert": Spec((P.operate,), params={"kind": "items"}),
    "procurement.delete_row": Spec((P.operate,), params={"kind": "items", "row_id": MISSING}),
    "procurement.list_orders": Spec((P.read_all,)),
    "procurement.order_detail": Spec((P.read_all,), params={"order_id": MISSING}),
    "procurement.order_action": Spec((P.operate,), params={"order_id": MISSING, "action": "approve"}),
    "procurement.receipts": Spec((P.operate, P.erp), params={"order_id": MISSING}),
    "procurement.start_run": Spec((P.operate,)), "procurement.list_runs": Spec((P.read_all,)),
    "procurement.run_detail": Spec((P.read_all,), params={"run_id": MISSING}),
    "procurement.stock_levels": Spec((P.read_all,)),
    # reconciliation
    "matching.list_exceptions": Spec((P.read_all,)), "matching.list_payments": Spec((P.read_all,)),
    "matching.list_runs": Spec((P.read_all,)), "matching.start_run": Spec((P.operate,)),
    "matching.list_credits": Spec((P.read_all,)), "matching.apply_credit": Spec((P.operate,)),
    "matching.set_off_credit_note": Spec((P.operate,)), "matching.take_back_credit_note": Spec((P.operate,)),
    "matching.match_detail": Spec((P.read_all,), params={"match_id": MISSING}),
    "matching.payment_detail": Spec((P.read_all,), params={"entry_id": MISSING}),
    **{f"matching.{name}": Spec((P.operate,), params={"match_id": MISSING})
       for name in ("confirm_match", "undo_match")},
    **{f"matching.{name}": Spec((P.operate,), params={"entry_id": MISSING})
       for name in ("match_payment", "reject_payment", "split_payment", "write_off_payment")},
    "reconciliation_statements.upload_statement": Spec((P.operate, P.erp)),
    "reconciliation_statements.list_statements": Spec((P.read_all,)),
    "reconciliation_statements.statement_detail": Spec((P.read_all,),
                                                       params={"statement_id": MISSING}),
    # routing
    "routing.list_batches": Spec((P.read_all,)), "routing.list_rules": Spec((P.read_all,)),
    "routing.get_batch": Spec((P.read_all,), params={"batch_id": MISSING}),
    "routing.get_rule": Spec((P.read_all,), params={"rule_id": MISSING}),
    "routing.add_rule": Spec((P.administer,)),
    "routing.change_rule": Spec((P.administer,), params={"rule_id": MISSING}),
    "routing.remove_rule": Spec((P.administer,), params={"rule_id": MISSING}),
    # the admin pages (staff only, by session): what each page needs
    **{f"admin.{name}": PAGE[P.read_all] for name in (
        "dashboard", "connectors", "deliveries", "exchanges", "partners", "orders",
        "reconciliation", "reconciliation_matched", "reconciliation_credits")},
    "admin.reconciliation_credit_apply": PAGE[P.operate],
    "admin.connector": Spec((P.read_all,), params={"connector_id": MISSING}),
    "admin.partner": Spec((P.read_all,), params={"partner_id": MISSING}),
    "admin.exchange": Spec((P.read_all,), owned="exchange"),
    "admin.exchange_raw": Spec((P.read_all,), owned="exchange"),
    "admin.audit": PAGE[P.read_audit], "admin.audit_export": PAGE[P.read_audit],
    "admin.audit_verify": PAGE[P.administer],
    "admin.connector_test": Spec((P.operate,), params={"connector_id": MISSING}),
    "admin.redeliver": Spec((P.operate,), params={"delivery_id": MISSING}),
    "admin.reprocess": Spec((P.operate,), params={"exchange_id": MISSING}),
    "admin.bulk": PAGE[P.operate],
    "admin.partner_new": PAGE[P.administer],
    **{f"admin.{name}": Spec((P.administer,), params={"partner_id": MISSING}) for name in (
        "partner_identifier", "partner_key")},
    "admin.partner_profile": Spec((P.operate,), params={"partner_id": MISSING}),
    "admin.partner_key_revoke": Spec((P.administer,), params={"partner_id": MISSING,
                                                             "key_id": MISSING}),
    "admin.decide": Spec((P.operate,), params={"order_id": MISSING}),
    "admin.reconciliation_match_act": Spec((P.operate,), params={"match_id": MISSING}),
    "admin.reconciliation_act": Spec((P.operate,), params={"entry_id": MISSING}),
}


# --- the world: two partners, two connectors, three staff users ----------------------------------

@dataclass
class World:
    """Objects of each kind, by owner ("mine": acme / erp-a; "theirs": bolt / erp-b)."""

    objects: dict[tuple[str, str], str]
    headers: dict[str, dict[str, str]]
    partner_ids: dict[str, int]
    connector_ids: dict[str, int]

    def own_ids(self, app: Flask, kind: str, whose: str) -> set[str]:
        """What the database holds for the owner: the rows its list must show, and only those."""
        with app.app_context(), new_session() as session:
            if kind == "outbox":
                return set(session.scalars(select(OutboxEntry.document_id).where(
                    OutboxEntry.connector_id == self.connector_ids[whose],
                    OutboxEntry.acked_at.is_(None))))
            pid = self.partner_ids[whose]
            if kind == "document":
                return set(session.scalars(select(Document.id).where(Document.partner_id == pid)))
            stmt = select(Exchange.id).where(Exchange.partner_id == pid, Exchange.state != "invalid")
            if kind == "file":
                stmt = stmt.where(Exchange.direction == "outbound", Exchange.state == "pending")
            return set(session.scalars(stmt))


def _connector(app: Flask, name: str) -> tuple[int, dict[str, str]]:
    with app.app_context(), new_session() as session:
        row = add_connector(session, ConnectorSpec(name=name, key="poll",
                                                   document_types=("purchase_order",)), actor="test",
                            secret_key=app.config["HUB_SETTINGS"].secret_key)
        _, secret = issue_connector_token(session, row, actor="test")
        session.commit()
        return row.id, {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(app: Flask, client: FlaskClient, make_partner: Any, make_user: Any) -> World:
    acme, bolt = make_partner("acme"), make_partner("bolt")
    objects: dict[tuple[str, str], str] = {}
    for whose, partner in (("mine", acme), ("theirs", bolt)):
        objects["exchange", whose] = post(client, partner, interchange(partner.edi_id, f"{whose}1"))
    process(app)
    with app.app_context(), new_session() as session:
        for whose in ("mine", "theirs"):
            objects["document", whose] = session.scalars(select(Document.id).where(
                Document.exchange_id == objects["exchange", whose])).one()
    for whose, partner in (("mine", acme), ("theirs", bolt)):
        objects["file", whose] = outbound_file(app, partner.id, b"UNA:+.? 'UNB+" + whose.encode())
    connectors: dict[str, int] = {}
    headers = {"partner": acme.headers, "nobody": {}}
    for whose, name in (("mine", "erp-a"), ("theirs", "erp-b")):
        connectors[whose], token = _connector(app, name)
        if whose == "mine":
            headers["connector"] = token
        with app.app_context(), new_session() as session:
            enqueue_ids(session, [objects["document", whose]], actor="test",
                        connector_ids=[connectors[whose]])
            session.commit()
        objects["outbox", whose] = objects["document", whose]
    for role in STAFF:
        headers[role] = make_user(f"user-{role}", role)
    return World(objects, headers, {"mine": acme.id, "theirs": bolt.id}, connectors)


def _principal(caller: str) -> Principal | None:
    """The access rule's view of a caller (the rule's own answers are what the test checks against
    the KNOWN table's; its principal ids do not matter here)."""
    if caller == "nobody":
        return None
    if caller in STAFF:
        return Principal(kind="user", name=caller, role=Role(caller))
    return Principal(kind=caller, name=caller)


def _allowed(spec: Spec, caller: str) -> bool:
    return any(may(_principal(caller), perm) for perm in spec.needs)


def _path(rule: Any, spec: Spec, world: World, whose: str) -> str:
    values: dict[str, str] = {}
    for name in rule.arguments:
        if name in spec.params:
            values[name] = spec.params[name]
        else:
            assert spec.owned, f"{rule.endpoint}: the test does not know how to fill <{name}>"
            values[name] = world.objects[spec.owned, whose]
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values[m.group(1)], rule.rule)


# Collection POSTs create something when allowed: for the allowed callers only the refusals of the
# others are checked (an allowed call is each capability's own tests' business).
def _creates(rule: Any, method: str) -> bool:
    return method == "POST" and not rule.arguments


@dataclass
class Tally:
    pairs: set[tuple[str, str, str]] = field(default_factory=set)  # (method path, caller, outcome)

    def add(self, rule: Any, method: str, caller: str, outcome: str) -> None:
        self.pairs.add((f"{method} {rule.rule}", caller, outcome))


def _check_api(client: FlaskClient, app: Flask, rule: Any, method: str, spec: Spec, world: World,
               caller: str, tally: Tally) -> None:
    headers = world.headers[caller]
    where = (rule.endpoint, method, caller)
    if not spec.needs:
        tally.add(rule, method, caller, "public")
        return
    if caller == "nobody":
        answer = client.open(_path(rule, spec, world, "mine"), method=method)
        assert answer.status_code == 401, (*where, answer.status_code)
        tally.add(rule, method, caller, "401")
        return
    if not _allowed(spec, caller):
        answer = client.open(_path(rule, spec, world, "mine"), method=method, headers=headers, json={})
        assert answer.status_code == 403, (*where, answer.status_code)
        tally.add(rule, method, caller, "403")
        return
    owner_bound = caller in ("partner", "connector")
    if spec.owned:
        if method == "GET":
            mine = client.get(_path(rule, spec, world, "mine"), headers=headers)
            assert mine.status_code == 200, (*where, "mine", mine.status_code)
        theirs = client.open(_path(rule, spec, world, "theirs"), method=method, headers=headers,
                             json={})
        if owner_bound:
            assert theirs.status_code == 404, (*where, "theirs", theirs.status_code)
            tally.add(rule, method, caller, "own 200, another's 404")
        elif method == "GET":
            assert theirs.status_code == 200, (*where, "theirs", theirs.status_code)
            tally.add(rule, method, caller, "everyone's 200")
        else:
            assert theirs.status_code not in (401, 403) and theirs.status_code < 500, where
            tally.add(rule, method, caller, "allowed")
        return
    if spec.lists:
        answer = client.get(rule.rule, headers=headers)
        assert answer.status_code == 200, (*where, answer.status_code)
        listed = {item["id"] for item in answer.json["items"]}
        mine = world.own_ids(app, spec.lists, "mine")
        theirs = world.own_ids(app, spec.lists, "theirs")
        assert world.objects[spec.lists, "mine"] in mine and world.objects[spec.lists, "theirs"] in theirs
        if owner_bound:
            assert listed == mine, (*where, listed, mine)
            tally.add(rule, method, caller, "own rows only")
        else:
            assert mine | theirs <= listed, where
            tally.add(rule, method, caller, "everyone's rows")
        return
    if spec.acks:
        theirs_id = world.objects[spec.acks, "theirs"]
        before = world.own_ids(app, spec.acks, "theirs")
        answer = client.post(rule.rule, headers=headers, json={"ids": [theirs_id]})
        assert answer.status_code == 200 and answer.json["unknown"] == [theirs_id], where
        assert answer.json["acknowledged"] == [] and world.own_ids(app, spec.acks, "theirs") == before
        tally.add(rule, method, caller, "another's ids unknown, unchanged")
        return
    if _creates(rule, method):
        tally.add(rule, method, caller, "allowed (not called)")
        return
    answer = client.open(_path(rule, spec, world, "mine"), method=method, headers=headers, json={})
    assert answer.status_code not in (401, 403) and answer.status_code < 500, (*where, answer.status_code)
    tally.add(rule, method, caller, "allowed")


def _check_page(app: Flask, rule: Any, method: str, spec: Spec, world: World, caller: str,
                clients: dict[str, tuple[FlaskClient, str]], tally: Tally) -> None:
    """Pages are for signed-in staff: a bearer token opens none (sign-in page); each staff role
    meets the page's permission (its declared roles are the ones the rule grants it)."""
    declared = getattr(app.view_functions[rule.endpoint], "admin_roles", "undeclared")
    if rule.endpoint != "admin.static":  # flask's own view for the pages' files
        assert declared == (roles_with(spec.needs[0]) if spec.needs else None), (rule.endpoint,
                                                                                 declared)
    if not spec.needs:
        tally.add(rule, method, caller, "public")
        return
    client, token = clients[caller]
    path = _path(rule, spec, world, "mine")
    answer = client.open(path, method=method, headers=world.headers[caller] if caller not in STAFF
                         else {}, data={"csrf_token": token})
    if caller not in STAFF:
        assert answer.status_code == 302 and "/admin/sign-in" in answer.headers["Location"], (
            rule.endpoint, caller, answer.status_code)
        tally.add(rule, method, caller, "sign-in page")
    elif not _allowed(spec, caller):
        assert answer.status_code == 403, (rule.endpoint, method, caller, answer.status_code)
        tally.add(rule, method, caller, "403")
    else:
        assert answer.status_code not in (401, 403) and answer.status_code < 500, (
            rule.endpoint, method, caller, answer.status_code)
        tally.add(rule, method, caller, "allowed")


def _page_clients(app: Flask) -> dict[str, tuple[FlaskClient, str]]:
    clients: dict[str, tuple[FlaskClient, str]] = {}
    for caller in CALLERS:
        client = app.test_client()
        if caller in STAFF:
            sign_in(client, app, enrolled_user(app, f"page-{caller}", caller))
            clients[caller] = client, page_token(client)
        else:
            clients[caller] = client, page_token(client, "/admin/sign-in")
    return clients


# Page actions the walk must not take for real (they would change the world the other checks read):
# an allowed POST to them is left to the pages' own tests.
_PAGE_SIDE_EFFECTS = {"admin.sign_out", "admin.audit_verify", "admin.bulk", "admin.partner_new",
                     "admin.reconciliation_credit_apply"}


def unknown_endpoints(app: Flask) -> list[str]:
    return sorted({r.endpoint for r in app.url_map.iter_rules()} - KNOWN.keys())


def test_a_new_endpoint_is_not_covered_until_the_test_knows_it(app: Flask) -> None:
    app.add_url_rule("/api/v1/novelties/<novelty_id>", "novelties.get", lambda novelty_id: "")
    assert unknown_endpoints(app) == ["novelties.get"]


def test_every_endpoint_and_every_caller_sees_only_what_it_may(
        app: Flask, client: FlaskClient, world: World, capsys: pytest.CaptureFixture[str]) -> None:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    unknown = unknown_endpoints(app)
    assert not unknown, f"endpoints the access tests do not know (add them to KNOWN): {unknown}"
    stale = sorted(KNOWN.keys() - {r.endpoint for r in rules})
    assert not stale, f"KNOWN names endpoints the app no longer has: {stale}"
    tally, clients = Tally(), _page_clients(app)
    for rule in rules:
        spec = KNOWN[rule.endpoint]
        view = app.view_functions[rule.endpoint]
        if not rule.endpoint.startswith("admin."):
            assert getattr(view, "permissions", ()) == spec.needs, (rule.endpoint, spec.needs)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for caller in CALLERS:
                if rule.endpoint.startswith("admin."):
                    if method == "POST" and rule.endpoint in _PAGE_SIDE_EFFECTS and caller in STAFF \
                            and _allowed(spec, caller):
                        tally.add(rule, method, caller, "allowed (not called)")
                        continue
                    _check_page(app, rule, method, spec, world, caller, clients, tally)
                else:
                    _check_api(client, app, rule, method, spec, world, caller, tally)
    endpoints = {(pair[0]) for pair in tally.pairs}
    with capsys.disabled():
        print(f"\naccess matrix: {len(endpoints)} endpoint methods x {len(CALLERS)} callers = "
              f"{len(tally.pairs)} checks")
    assert len(tally.pairs) == len(endpoints) * len(CALLERS)


ENV = "http://schemas.xmlsoap.org/soap/envelope/"
FETCH = (b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="' + ENV.encode()
         + b'" xmlns:tns="urn:ponte:hub:outbox"><soapenv:Body><tns:FetchBatch><tns:Cursor>0'
         b"</tns:Cursor><tns:Limit>50</tns:Limit></tns:FetchBatch></soapenv:Body></soapenv:Envelope>")


def test_soap_serves_a_connector_its_own_outbox_and_no_one_else(client: FlaskClient,
                                                                world: World) -> None:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "FetchBatch"}
    answer = client.post("/soap", data=FETCH, headers={**headers, **world.headers["connector"]})
    assert answer.status_code == 200, answer.data
    ids = set(re.findall(rb"<tns:Id>([^<]+)</tns:Id>", answer.data))
    assert ids == {world.objects["outbox", "mine"].encode()}
    for caller in ("partner", *STAFF, "nobody"):
        refused = client.post("/soap", data=FETCH, headers={**headers, **world.headers[caller]})
        assert refused.status_code == 401 and b"Client.Unauthorized" in refused.data, caller


def test_an_unknown_token_is_401_and_a_made_up_id_is_404(client: FlaskClient, world: World) -> None:
    bogus = {"Authorization": f"Bearer {uuid.uuid4().hex}"}
    assert client.get("/api/v1/exchanges", headers=bogus).status_code == 401
    assert client.get("/api/v1/outbox", headers=bogus).status_code == 401
    made_up = client.get(f"/api/v1/exchanges/{uuid.uuid4()}", headers=world.headers["admin"])
    assert made_up.status_code == 404 and made_up.json["error"]["code"] == "NOT_FOUND"

