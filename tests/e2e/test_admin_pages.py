"""An operator and an auditor in a real browser: sign in with a second factor, find the failed file,
see its faulty segment, fix the partner's profile, reprocess it, and find it all in the audit log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import Browser, Page, expect

from tests.support.admin import AdminUser, enrolled_user, next_code
from tests.support.exchanges import process

ROOT = Path(__file__).resolve().parents[2]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()


def _sign_in(page: Page, url: str, user: AdminUser, code: str) -> None:
    page.goto(url + "/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.password)
    page.click("button[type=submit]")
    page.fill("input[name=code]", code)
    page.click("button[type=submit]")


def _post_files(url: str, partner: Any) -> str:
    good = requests.post(url + "/api/v1/exchanges", data=ORDERS, headers=partner.headers, timeout=10)
    bad = requests.post(url + "/api/v1/exchanges", headers=partner.headers, timeout=10,
                        data=ORDERS.replace(b"ORD0001", b"ORD0002").replace(b"CNT+2:3'", b"CNT+2:5'")
                        .replace(b"PO-2024-0042", b"PO-2024-0043"))
    assert good.status_code == bad.status_code == 202
    return str(bad.json()["id"])


def test_operator_fixes_and_reprocesses_a_failed_file_and_the_auditor_finds_it_all(
        app: Flask, hub_url: str, browser: Browser, shots: Path, runner: FlaskCliRunner,
        make_partner: Any) -> None:
    failed_id = _post_files(hub_url, make_partner("demo", edi_id="5412345000013"))
    process(app)
    otto, aud = enrolled_user(app, "otto", "operator"), enrolled_user(app, "aud", "auditor")

    page = browser.new_page()
    page.goto(hub_url + "/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in"))
    page.screenshot(path=str(shots / "sign-in.png"))
    code = next_code(app, otto)
    _sign_in(page, hub_url, otto, code)
    expect(page.locator("#per-state")).to_contain_text("failed")
    expect(page.locator("#fig-failed b")).to_have_text("1")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.click("button:has-text('Sign out')")
    _sign_in(page, hub_url, otto, code)  # the same code again: refused
    expect(page.locator("#error-message")).to_have_text("wrong user name, password or code")
    page.fill("input[name=code]", next_code(app, otto))
    page.click("button[type=submit]")
    expect(page.locator("#fig-failed")).to_be_visible()

    page.click("nav >> text=Exchanges")
    expect(page.locator("#exchange-list tr")).to_have_count(3)
    page.select_option("select[name=state]", "failed")
    page.click("#apply")
    expect(page.locator("#exchange-list tr")).to_have_count(2)
    page.screenshot(path=str(shots / "exchanges-failed.png"), full_page=True)
    page.click("#exchange-list a")
    faulty = page.locator("#raw tr.faulty")
    expect(faulty).to_have_count(1)
    expect(faulty).to_contain_text("CNT+2:5'")
    expect(faulty).to_contain_text("CNT says 5 line items, the message has 3")
    page.screenshot(path=str(shots / "exchange-failed.png"), full_page=True)

    out = runner.invoke(args=["hub", "partner-profile", "demo", "--set", "tolerate_count_mismatch=true"])
    assert out.exit_code == 0, out.output
    page.click("#reprocess")
    page.click("#confirm")
    expect(page.locator("#state")).to_have_text("processed")
    expect(page.locator("#documents")).to_contain_text("PO-2024-0043")
    page.screenshot(path=str(shots / "exchange-reprocessed.png"), full_page=True)
    page.close()

    auditor = browser.new_page()
    _sign_in(auditor, hub_url, aud, next_code(app, aud))
    auditor.goto(f"{hub_url}/admin/exchanges/{failed_id}")
    expect(auditor.locator("#state")).to_have_text("processed")
    expect(auditor.locator("#reprocess")).to_have_count(0)
    expect(auditor.locator("#timeline")).to_contain_text("user:otto")
    auditor.click("text=All its events in the audit log")
    events = auditor.locator("#events")
    expect(events).to_contain_text("exchange.state_changed")
    expect(events).to_contain_text("user:otto")
    auditor.goto(hub_url + "/admin/audit?object_type=user")
    expect(auditor.locator("#events")).to_contain_text("admin.signed_in")
    expect(auditor.locator("#events")).to_contain_text("admin.sign_in_failed")
    expect(auditor.locator("#verify")).to_have_count(0)
    auditor.screenshot(path=str(shots / "audit.png"), full_page=True)

    token = auditor.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    reprocess_url = f"{hub_url}/admin/exchanges/{failed_id}/reprocess"
    assert auditor.request.post(reprocess_url, form={"csrf_token": token}).status == 403
    assert auditor.request.post(f"{hub_url}/admin/audit/verify", form={"csrf_token": token}).status == 403
    assert auditor.request.post(f"{hub_url}/admin/sign-out", form={}).status == 400  # no CSRF token
    auditor.close()


def test_an_admin_in_a_portuguese_browser_in_sao_paulo_manages_a_partner(
        app: Flask, hub_url: str, browser: Browser, shots: Path, make_partner: Any) -> None:
    demo = make_partner("demo", edi_id="5412345000013")
    _post_files(hub_url, demo)
    admin = enrolled_user(app, "ana", "admin")
    context = browser.new_context(locale="pt-BR", timezone_id="America/Sao_Paulo")
    page = context.new_page()
    _sign_in(page, hub_url, admin, next_code(app, admin))
    expect(page.locator("h1")).to_have_text("O que precisa de ação")
    page.goto(hub_url + "/admin/partners")
    page.click("text=demo")
    expect(page.locator("#setting-tolerate_count_mismatch")).to_contain_text("UNT/UNE/UNZ/CNT")
    page.select_option("#profile-set select[name=key]", "ack_deadline_hours")
    page.fill("#profile-set input[name=value]", "4")
    page.click("#profile-set button")
    expect(page.locator("p.flash")).to_have_text("Configuração de perfil ack_deadline_hours salva.")
    page.click("#key-issue button")
    secret = page.locator("#secret").inner_text()
    assert requests.post(hub_url + "/api/v1/exchanges", data=ORDERS.replace(b"ORD0001", b"ORD0009"),
                         headers={"Authorization": f"Bearer {secret}"}, timeout=10).status_code == 202
    page.go_back()
    page.reload()
    page.screenshot(path=str(shots / "partner-pt.png"), full_page=True)
    page.goto(hub_url + "/admin/exchanges")
    first = page.locator("#exchange-list tr:nth-child(2) td:first-child").inner_text()
    pt_br = r"[0-9]{1,2} de [a-zç]{3}[.] de 20[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"  # 2 de dez. de 2026 06:46
    assert re.match(pt_br, first), first
    page.screenshot(path=str(shots / "exchanges-pt.png"), full_page=True)
    page.goto(hub_url + "/admin/connectors")
    page.screenshot(path=str(shots / "connectors-pt.png"), full_page=True)
    context.close()
