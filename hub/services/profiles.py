"""A partner's profile: stored as JSON on the partner, used as a PartnerProfile by the mappings."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from hub.domain.errors import ValidationError
from hub.domain.identifiers import Key, parse_key
from hub.domain.senders import normalise_account
from mappings.edifact.profile import GENERIC, PartnerProfile

_FIELDS = {f.name: f for f in dataclasses.fields(PartnerProfile) if f.init}
_TUPLES = {"render_party_schemes"}
# settings the hub reads itself, never handed to the mappings (see SenderPolicy)
_HUB_SETTINGS = ("posts_for", "bank_accounts", "hold_on_payee_change", "require_known_sender", "address",
                 "ack_mlr", "sbdh")
ADDRESS_FIELDS = ("legal_name", "street", "city", "postcode", "country")


def validate_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Check a profile document; unknown keys are refused so a typo never silently does nothing."""
    known = {*_FIELDS, *_HUB_SETTINGS}
    unknown = sorted(k for k in data if k not in known and not k.startswith("_"))
    if unknown:
        raise ValidationError(f"unknown partner profile settings: {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(known))}")
    build(data)
    sender_policy(data)
    partner_address(data)
    for name in ("ack_mlr", "sbdh"):
        if data.get(name) is not None and not isinstance(data[name], bool):
            raise ValidationError(f"{name} must be true or false, got {data[name]!r}")
    return data


def wants_mlr(data: dict[str, Any] | None, syntax: str) -> bool:
    """Whether the partner gets a Message Level Response when the hub refuses its UBL document:
    its `ack_mlr` setting, on by default for a partner whose syntax is UBL."""
    value = (data or {}).get("ack_mlr")
    return syntax == "ubl" if value is None else bool(value)


def wants_sbdh(data: dict[str, Any] | None) -> bool:
    """Whether UBL the hub sends the partner goes in a Peppol SBDH envelope (`sbdh`, off by default)."""
    return bool((data or {}).get("sbdh", False))


def partner_address(data: dict[str, Any] | None) -> dict[str, str] | None:
    """The partner's postal address and legal name (`address` setting), which Peppol documents the hub
    sends it must carry; ValidationError naming a malformed one."""
    value = (data or {}).get("address")
    if value is None:
        return None
    if not isinstance(value, dict) or any(k not in ADDRESS_FIELDS or not isinstance(v, str)
                                          for k, v in value.items()):
        raise ValidationError(f"address: an object of text fields among {', '.join(ADDRESS_FIELDS)}")
    country = value.get("country", "")
    if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
        raise ValidationError(f"address.country: an ISO 3166 alpha-2 code, got {country!r}")
    return dict(value)


@dataclasses.dataclass(frozen=True)
class SenderPolicy:
    """What a partner's profile says about the documents it sends."""

    posts_for: tuple[Key, ...] = ()  # parties it may send for (a service provider's clients)
    bank_accounts: frozenset[str] | None = None  # registered payee accounts (normalised); None: none listed
    hold_on_payee_change: bool = False  # hold an invoice to another account until it is released
    require_known_sender: bool = False  # reject a sending party that is unknown or unidentified


def sender_policy(data: dict[str, Any] | None) -> SenderPolicy:
    """The partner's SenderPolicy; ValidationError naming a malformed setting."""
    data = data or {}
    posts_for = _string_list(data, "posts_for")
    accounts = _string_list(data, "bank_accounts")
    try:
        keys = tuple(parse_key(item) for item in posts_for or [])
    except ValueError as exc:
        raise ValidationError(f"posts_for: {exc}") from exc
    flags = {}
    for name in ("hold_on_payee_change", "require_known_sender"):
        value = data.get(name, False)
        if not isinstance(value, bool):
            raise ValidationError(f"{name} must be true or false, got {value!r}")
        flags[name] = value
    return SenderPolicy(keys, None if accounts is None else frozenset(
        normalise_account(a) for a in accounts), **flags)


def _string_list(data: dict[str, Any], name: str) -> list[str] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(f"{name} must be a list of non-empty texts, got {value!r}")
    return value


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
