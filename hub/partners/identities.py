"""Each company's own EDI identity, and which company an inbound file is addressed to.

A company's UNB identities are its `edi:` identifiers (`edi:PONTEBE` or `edi:PONTEBE:ZZ`, id and
qualifier) and its GLN (qualifier 14); its Peppol endpoints are its GLN (0088) and VAT number. An inbound
interchange's UNB recipient (S003 0010 with its 0007), or a UBL document's receiving EndpointID, selects
the company; `HUB_EDI_ID` / `HUB_EDI_QUALIFIER` stay the hub's default identity (the default company's,
and the only one when no company is configured). What the hub issues for a company goes out under the
company's identity; acknowledgements answer under the identity the partner wrote to.

The rule for an unknown recipient: with no company configured, the hub does not check UNB recipients
(as before: files addressed to any id were accepted, and are). Once companies are configured, the hub
knows its identities, and a file addressed to one that is neither a company's, the default, nor another
partner of the hub (a document to forward) is refused naming UNB S003/0010 or the EndpointID.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain.documents import Identifier, IdScheme
from hub.domain.identifiers import key_of, key_of_unb
from hub.partners.models import Company

EDI, GLN, VAT = "edi", "gln", "vat"


@dataclass(frozen=True)
class UnbIdentity:
    """A UNB party: interchange id (0004/0010) and its qualifier (0007), if any."""

    value: str
    qualifier: str | None = None

    def __str__(self) -> str:
        return f"{self.value}:{self.qualifier}" if self.qualifier else self.value


def unb_identities(company: Company) -> list[UnbIdentity]:
    """The company's UNB identities: its `edi:` ids first, then its GLN (qualifier 14)."""
    out = []
    for ident in company.identifiers or []:
        if ident["scheme"] == EDI:
            value, _, qualifier = ident["value"].partition(":")
            out.append(UnbIdentity(value.strip(), qualifier.strip() or None))
    out += [UnbIdentity(i["value"], "14") for i in company.identifiers or [] if i["scheme"] == GLN]
    return out


def same_party(said: UnbIdentity, known: UnbIdentity) -> bool:
    """Whether a UNB party names a known identity: the same id (qualifiers equal when both given), or
    the same number in a numbering both qualifiers name (a GLN as 14)."""
    if said.value == known.value and (not said.qualifier or not known.qualifier
                                      or said.qualifier == known.qualifier):
        return True
    key = key_of_unb(said.value, said.qualifier)
    return bool(key[0]) and key == key_of_unb(known.value, known.qualifier)


def _companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.id)))


def company_for_unb(session: Session, recipient: UnbIdentity) -> Company | None:
    """The company a UNB recipient names, if any."""
    return next((c for c in _companies(session)
                 if any(same_party(recipient, known) for known in unb_identities(c))), None)


def company_for_endpoint(session: Session, ids: Iterable[Identifier]) -> Company | None:
    """The company a receiving party's EndpointID (or its other identifiers) names, if any."""
    wanted = {key for key in (key_of(i) for i in ids) if key is not None}
    for company in _companies(session):
        keys = {key_of(Identifier(i["value"], IdScheme(i["scheme"])))
                for i in company.identifiers or [] if i["scheme"] in (GLN, VAT)}
        if wanted & keys:
            return company
    return None


def default_identity(settings: Any) -> UnbIdentity:
    """The hub's own identity (`HUB_EDI_ID` / `HUB_EDI_QUALIFIER`): the default company's."""
    return UnbIdentity(settings.hub_edi_id, settings.hub_edi_qualifier or None)


def checks_recipients(session: Session) -> bool:
    """Whether recipients are checked: only once the hub has companies, and so knows its identities."""
    return session.scalar(select(Company.id).limit(1)) is not None


def sender_identity(settings: Any, company: Company) -> UnbIdentity:
    """The UNB sender of what the hub issues for `company`: its first UNB identity, else the default."""
    own = unb_identities(company)
    return own[0] if own else default_identity(settings)


def addressed(session: Session, settings: Any, said: UnbIdentity | None, endpoint: Iterable[Identifier],
              *, forwarded: bool) -> tuple[Company | None, bool]:
    """(the company a file is addressed to, whether its addressee is known): by its UNB recipient
    `said` or its receiving party's `endpoint` ids. Known: a company, the hub's default identity,
    another partner (`forwarded`), or any recipient while no company is configured."""
    endpoint = list(endpoint)
    company = company_for_unb(session, said) if said is not None else None
    company = company or (company_for_endpoint(session, endpoint) if endpoint else None)
    if company is not None:
        return company, True
    default = default_identity(settings)
    is_default = (said is not None and same_party(said, default)) or any(
        i.value == default.value for i in endpoint)
    return None, forwarded or is_default or not checks_recipients(session)
