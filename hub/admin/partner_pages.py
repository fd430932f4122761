"""Trading partners: list, detail with identifiers, profile settings (each with its meaning) and keys;
create (admin), change the profile (admin, operator), add identifiers, issue and revoke keys (admin)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from hub import access
from hub.access import Permission
from hub.admin import security
from hub.admin.blueprint import Nav
from hub.db import get_session, transaction
from hub.domain.errors import HubError, NotFound
from hub.partners import domain as profiles
from hub.partners import service as partners
from hub.partners.models import ApiCredential, Partner
from hub.partners.queries import help_for

SHOWN = 200


def attach(bp: Blueprint, nav: Nav) -> None:
    bp.add_url_rule("/admin/partners", "partners", partner_list)
    bp.add_url_rule("/admin/partners/new", "partner_new", partner_new, methods=["GET", "POST"])
    bp.add_url_rule("/admin/partners/<int:partner_id>", "partner", partner_detail)
    bp.add_url_rule("/admin/partners/<int:partner_id>/profile", "partner_profile", partner_profile,
                    methods=["POST"])
    bp.add_url_rule("/admin/partners/<int:partner_id>/identifiers", "partner_identifier",
                    partner_identifier, methods=["POST"])
    bp.add_url_rule("/admin/partners/<int:partner_id>/keys", "partner_key", partner_key, methods=["POST"])
    bp.add_url_rule("/admin/partners/<int:partner_id>/keys/<int:key_id>/revoke", "partner_key_revoke",
                    partner_key_revoke, methods=["POST"])
    nav.add("Partners", "admin.partners", security.ALL_STAFF)


def _partner(partner_id: int) -> Partner:
    partner = get_session().get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    return partner


def _refused(exc: HubError, partner_id: int | None = None) -> ResponseReturnValue:
    """Show why a change was refused on the page it came from; nothing of it was stored."""
    flash(str(exc), "error")
    for problem in exc.problems:
        flash(str(problem), "error")
    target = url_for("admin.partner", partner_id=partner_id) if partner_id else url_for("admin.partner_new")
    return redirect(target)


def _is_admin() -> bool:
    role = security.current().role
    return role is not None and role.value in security.ADMINS


@security.allow(security.ALL_STAFF)
def partner_list() -> str:
    db = get_session()
    rows = list(db.scalars(select(Partner).order_by(Partner.name).limit(SHOWN + 1)))
    keys = dict(db.execute(select(ApiCredential.partner_id, func.count())
                           .where(ApiCredential.partner_id.is_not(None), ApiCredential.revoked_at.is_(None))
                           .group_by(ApiCredential.partner_id)).all())
    return render_template("admin/partners.html", rows=rows[:SHOWN], more=len(rows) > SHOWN, keys=keys,
                           can_admin=_is_admin())


@security.allow(security.ALL_STAFF)
def partner_detail(partner_id: int) -> str:
    db = get_session()
    partner = _partner(partner_id)
    keys = list(db.scalars(select(ApiCredential).where(ApiCredential.partner_id == partner.id)
                           .order_by(ApiCredential.id.desc()).limit(100)))
    profile = partner.profile or {}
    settings = [(key, profile.get(key), *help_for(key)) for key in profiles.known_settings()]
    me = security.current()
    return render_template("admin/partner.html", p=partner, keys=keys, settings=settings,
                           schemes=partners.ID_SCHEMES, can_operate=access.may(me, Permission.operate),
                           can_admin=_is_admin(),
                           shown=lambda v: json.dumps(v, ensure_ascii=False))


@security.allow(security.ADMINS)
def partner_new() -> ResponseReturnValue:
    """GET: the form; POST: create the partner (its first key is issued from its page)."""
    if request.method == "GET":
        return render_template("admin/partner_new.html", syntaxes=partners.SYNTAXES,
                               roles=partners.PARTNER_ROLES)
    form = request.form
    db = get_session()
    try:
        with transaction(db):
            partner = partners.add_partner(
                db, form.get("name", "").strip(), edi_id=form.get("edi_id", "").strip(),
                qualifier=form.get("qualifier", "").strip(), roles=form.getlist("roles"),
                syntax=form.get("syntax", "edifact"), actor=security.current().actor)
            partner_id = partner.id
    except HubError as exc:
        return _refused(exc)
    flash(_("Partner %(name)s created.", name=form.get("name", "")))
    return redirect(url_for("admin.partner", partner_id=partner_id))


def _setting_value(raw: str) -> Any:
    """A setting's value as typed: JSON where it parses (objects, lists, true, numbers), else text;
    empty removes the setting."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@security.allow(security.OPERATORS)
def partner_profile(partner_id: int) -> ResponseReturnValue:
    db = get_session()
    partner = _partner(partner_id)
    key = request.form.get("key", "")
    try:
        with transaction(db):
            partners.update_profile(db, partner, {key: _setting_value(request.form.get("value", ""))},
                                    actor=security.current().actor)
    except HubError as exc:
        return _refused(exc, partner_id)
    flash(_("Profile setting %(key)s saved.", key=key))
    return redirect(url_for("admin.partner", partner_id=partner_id))


@security.allow(security.ADMINS)
def partner_identifier(partner_id: int) -> ResponseReturnValue:
    db = get_session()
    partner = _partner(partner_id)
    scheme, value = request.form.get("scheme", ""), request.form.get("value", "").strip()
    try:
        with transaction(db):
            partners.add_identifier(db, partner, scheme, value, actor=security.current().actor)
    except HubError as exc:
        return _refused(exc, partner_id)
    added = f"{scheme}:{value}"
    flash(_("Identifier %(id)s added.", id=added))
    return redirect(url_for("admin.partner", partner_id=partner_id))


@security.allow(security.ADMINS)
def partner_key(partner_id: int) -> ResponseReturnValue:
    """Issue an API key and show it once, on a page no cache keeps."""
    db = get_session()
    partner = _partner(partner_id)
    with transaction(db):
        cred, secret = partners.issue_partner_key(db, partner, actor=security.current().actor,
                                                     label=request.form.get("label", "")[:200])
        prefix, name = cred.prefix, partner.name
    page = render_template("admin/key_issued.html", secret=secret, prefix=prefix, name=name,
                           back=url_for("admin.partner", partner_id=partner_id))
    return page, 200, {"Cache-Control": "no-store"}


@security.allow(security.ADMINS)
def partner_key_revoke(partner_id: int, key_id: int) -> ResponseReturnValue:
    db = get_session()
    cred = db.get(ApiCredential, key_id)
    if cred is None or cred.partner_id != partner_id:
        raise NotFound(f"partner {partner_id} has no key {key_id}")
    try:
        with transaction(db):
            partners.revoke(db, str(key_id), actor=security.current().actor)
    except HubError as exc:
        return _refused(exc, partner_id)
    flash(_("Key %(prefix)s... revoked.", prefix=cred.prefix))
    return redirect(url_for("admin.partner", partner_id=partner_id))
