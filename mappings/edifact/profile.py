"""A trading partner's EDIFACT conventions as data: what differs between partners without forking a mapping.

Every table maps the partner's code to ours on the way in; rendering uses the reverse. A table here
*extends* the generic tables in `common.py` (the partner's entry wins), so a profile only lists what
is different about that partner.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hub.domain.errors import ValidationError
from mappings import codelists
from mappings.edifact import common


@dataclass(frozen=True, eq=False)
class PartnerProfile:
    """How one partner writes EDIFACT; the generic profile is `PartnerProfile()`."""

    partner_id: str = "generic"
    # code-list translations, partner code -> canonical code (they extend the generic tables)
    unit_codes: Mapping[str, str] = field(default_factory=dict)  # e.g. {"PCS": "C62", "KG": "KGM"}
    party_roles: Mapping[str, str] = field(default_factory=dict)  # NAD 3035 -> PartyRole value
    party_agencies: Mapping[str, str] = field(default_factory=dict)  # C082/3055 or /1131 -> IdScheme value
    party_ref_schemes: Mapping[str, str] = field(default_factory=dict)  # RFF 1153 under NAD -> IdScheme
    item_types: Mapping[str, str] = field(default_factory=dict)  # C212/7143 -> gtin|buyer|supplier
    reference_kinds: Mapping[str, str] = field(default_factory=dict)  # RFF 1153 -> Reference.kind
    # buyer item number -> our item id, filling Item.our_number
    item_xref: Mapping[str, str] = field(default_factory=dict)
    # rendering choices
    render_party_schemes: tuple[str, ...] = ("gln", "buyer_assigned", "supplier_assigned", "duns",
                                             "mutually_defined", "cnpj", "other")
    render_gtin_type: str = "EN"  # EN (EANCOM, older directories) or SRV (D01B+)
    render_datetime_format: str = "203"  # 203 (minutes) or 204 (seconds) for aware datetimes in UTC
    decimal_mark: str = "."  # decimal mark written on output (the UNA the envelope writer emits)
    # envelope and acknowledgement preferences (read by the envelope writer and the services)
    syntax: str = "edifact"  # edifact or ubl
    syntax_id: str = "UNOC"
    directory: str = "D96A"  # preferred directory for messages we send
    association: str | None = None  # e.g. EAN008 for EANCOM partners
    # accept wrong UNT/UNE/UNZ/CNT counts and a UNZ reference that differs from UNB, with a warning
    tolerate_count_mismatch: bool = False
    ack_contrl: bool = False  # send CONTRL even when UNB 0031 does not ask for it
    request_contrl: bool = False  # ask for a CONTRL on what the hub sends (its UNB 0031 = 1)
    ack_aperak: bool = True  # send APERAK on business rejections
    aperak_error_codes: Mapping[str, str] = field(default_factory=dict)  # Problem.code -> ERC 9321
    default_currency: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # room for a partner-specific mapping
    # merged generic + partner tables, computed once (plain dicts: the parse hot path reads them)
    _units: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _roles: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _agencies: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _ref_schemes: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _item_types: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _ref_kinds: dict[str, str] = field(init=False, repr=False, default_factory=dict)
    _xref: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        merge = object.__setattr__  # frozen: precompute the merged tables once, not per message
        merge(self, "_units", {**common.UNIT_CODES, **self.unit_codes})
        merge(self, "_roles", {**common.PARTY_ROLES, **self.party_roles})
        merge(self, "_agencies", {**common.ID_AGENCIES, **self.party_agencies})
        merge(self, "_ref_schemes", {**common.PARTY_REF_SCHEMES, **self.party_ref_schemes})
        merge(self, "_item_types", {**common.ITEM_TYPES, **self.item_types})
        merge(self, "_ref_kinds", {**common.REFERENCE_KINDS, **self.reference_kinds})
        merge(self, "_xref", dict(self.item_xref))
        for name in ("unit_codes", "party_roles", "party_agencies", "party_ref_schemes", "item_types",
                     "reference_kinds", "item_xref", "aperak_error_codes", "extra"):
            merge(self, name, MappingProxyType(dict(getattr(self, name))))  # really read-only

    # the merged inbound tables themselves, read-only, for the parse hot path (a dict's get, no call)
    @property
    def unit_table(self) -> Mapping[str, str]:
        """Partner unit code -> Rec 20 unit: the generic table with the partner's entries over it."""
        return self._units

    @property
    def item_type_table(self) -> Mapping[str, str]:
        """C212/7143 item number type -> Item field (gtin, buyer, supplier), generic and the partner's."""
        return self._item_types

    @property
    def item_xref_table(self) -> Mapping[str, str]:
        """Buyer item number -> our item id (`item_xref` as a plain dict)."""
        return self._xref

    # inbound lookups (partner code -> canonical)
    def unit(self, code: str) -> str:
        """The Rec 20 unit for a partner's unit code (unknown codes pass through)."""
        return self._units.get(code, code)

    def role(self, qualifier: str) -> str:
        """The canonical party role for a NAD qualifier."""
        return self._roles.get(qualifier, "other")

    def agency_scheme(self, agency: str) -> str:
        """The identifier scheme for a C082 agency (3055) or code list (1131)."""
        return self._agencies.get(agency, "other")

    def ref_scheme(self, qualifier: str) -> str | None:
        """The identifier scheme an RFF under NAD carries, or None when it is not an identifier."""
        return self._ref_schemes.get(qualifier)

    def item_type(self, code: str) -> str | None:
        """Which Item field a C212/7143 item number type fills (gtin, buyer, supplier) or None."""
        return self._item_types.get(code)

    def reference_kind(self, qualifier: str) -> str:
        """The canonical reference kind for an RFF qualifier (the raw qualifier when unknown)."""
        return self._ref_kinds.get(qualifier, qualifier)

    # outbound lookups (canonical -> partner code)
    def unit_out(self, unit: str) -> str:
        """The partner's code for a Rec 20 unit: the partner's own code if it has one, else Rec 20."""
        return next((k for k, v in self.unit_codes.items() if v == unit), unit)

    def knows_unit(self, code: str) -> bool:
        """Whether the partner's profile or the generic EANCOM unit table lists this code."""
        return code in self._units

    def role_out(self, role: str) -> str:
        """The NAD qualifier for a canonical role (CodeListError when 3035 has none)."""
        partner = _reverse(self.party_roles, {}, role, None)
        return partner or codelists.load("edifact_3035").code(role, segment="NAD", element="3035")

    def agency_out(self, scheme: str) -> str | None:
        """The C082 agency code for an identifier scheme."""
        return _reverse(self.party_agencies, common.ID_AGENCIES_OUT, scheme, None)

    def ref_scheme_out(self, scheme: str) -> str | None:
        """The RFF qualifier under NAD for a tax identifier scheme."""
        return _reverse(self.party_ref_schemes, common.PARTY_REF_SCHEMES_OUT, scheme, None)

    def reference_kind_out(self, kind: str) -> str:
        """The RFF qualifier for a canonical reference kind (CodeListError when 1153 has none)."""
        partner = _reverse(self.reference_kinds, {}, kind, None)
        return partner or codelists.load("edifact_1153").code(kind, segment="RFF", element="C506/1153")

    def item_type_out(self, field_name: str) -> str:
        """The C212/7143 code for an Item field (gtin, buyer, supplier)."""
        if field_name == "gtin":
            return self.render_gtin_type
        return _reverse(self.item_types, common.ITEM_TYPES_OUT, field_name, field_name)


def _reverse(partner: Mapping[str, str], generic_out: Mapping[str, str], value: str,
             default: str | None) -> Any:
    """The partner's code for a canonical value, then the generic one, then `default`."""
    for code, canonical in partner.items():
        if canonical == value:
            return code
    return generic_out.get(value, default)


GENERIC = PartnerProfile()


# Built here (not in hub.partners.profiles) so the ingest workers build a profile without the hub's
# services: a partner's stored profile data -> its PartnerProfile.
_FIELDS = {f.name: f for f in dataclasses.fields(PartnerProfile) if f.init}
_TUPLES = {"render_party_schemes"}
_CACHE: dict[str, PartnerProfile] = {}


def build(data: dict[str, Any] | None) -> PartnerProfile:
    """The PartnerProfile for stored profile data (keys starting with _ are the hub's own)."""
    settings = {k: v for k, v in (data or {}).items() if k in _FIELDS}
    if not settings:
        return GENERIC
    key = json.dumps(settings, sort_keys=True, default=str)
    profile = _CACHE.get(key)
    if profile is None:
        kwargs: dict[str, Any] = {k: tuple(v) if k in _TUPLES else v for k, v in settings.items()}
        try:
            profile = PartnerProfile(**kwargs)
        except TypeError as exc:
            raise ValidationError(f"bad partner profile: {exc}") from exc
        if len(_CACHE) < 1024:
            _CACHE[key] = profile
    return profile
