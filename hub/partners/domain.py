"""A partner's profile: stored as JSON on the partner, used as a PartnerProfile by the mappings."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from hub.domain.batching import BATCH_KEYS, batch_policy
from hub.domain.check_digits import iban_problem, problem
from hub.domain.errors import ValidationError
from hub.domain.identifiers import Key, parse_key
from hub.domain.senders import normalise_account
from mappings.edifact.profile import PartnerProfile, build

_FIELDS = {f.name: f for f in dataclasses.fields(PartnerProfile) if f.init}
# settings the hub reads itself, never handed to the mappings (see SenderPolicy)
_HUB_SETTINGS = ("posts_for", "bank_accounts", "hold_on_payee_change", "require_known_sender", "address",
                 "ack_deadline_hours", "ack_mlr", "sbdh", *BATCH_KEYS)
ADDRESS_FIELDS = ("legal_name", "street", "city", "postcode", "country")


def known_settings() -> list[str]:
    """Every setting a profile may hold, sorted."""
    return sorted({*_FIELDS, *_HUB_SETTINGS})


def validate_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Check a profile document; unknown keys are refused so a typo never silently does nothing."""
    known = set(known_settings())
    unknown = sorted(k for k in data if k not in known and not k.startswith("_"))
    if unknown:
        raise ValidationError(f"unknown partner profile settings: {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(known))}")
    _check_types(data)
    build(data)
    sender_policy(data)
    partner_address(data)
    _check_digits(data)
    ack_deadline_hours(data)
    batch_policy(data)
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


def ack_deadline_hours(data: dict[str, Any] | None) -> float | None:
    """Hours the partner has to acknowledge what the hub sends it (`ack_deadline_hours`), or None for
    the hub's default; ValidationError for anything but a positive number."""
    value = (data or {}).get("ack_deadline_hours")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 24 * 366:
        raise ValidationError(f"ack_deadline_hours: a number of hours above 0, got {value!r}")
    return float(value)


def _check_digits(data: dict[str, Any]) -> None:
    """Identifiers entered in the profile (posts_for parties, bank_accounts IBANs) with right check digits."""
    for name, check in (("posts_for", lambda text: problem(*parse_key(text))),
                        ("bank_accounts", iban_problem)):
        wrong = [p for item in data.get(name) or [] if (p := check(item))]
        if wrong:
            raise ValidationError(f"{name}: {'; '.join(wrong)}")


# What each kind of setting holds, and how to write one on the command line (`--set KEY=VALUE`)
_KINDS = {"Mapping[str, str]": ("a JSON object of texts", '{"PCE": "C62"}'),
          "Mapping[str, Any]": ("a JSON object", '{"require_known_items": true}'),
          "bool": ("true or false", "true"), "str": ("a text", "D96A"),
          "str | None": ("a text", "EUR"), "tuple[str, ...]": ("a JSON list of texts", '["gln", "duns"]')}


def _check_types(data: dict[str, Any]) -> None:
    """Each mapping setting holds a value of its kind; the error names the setting and shows one."""
    for name, value in data.items():
        spec = _FIELDS.get(name)
        kind = _KINDS.get(str(spec.type)) if spec is not None else None
        if kind is None or value is None or _fits(str(spec.type if spec else ""), value):
            continue
        raise ValidationError(f"{name} must be {kind[0]}, got {json.dumps(value)}: e.g. "
                              f"--set '{name}={kind[1]}'")


def _fits(kind: str, value: Any) -> bool:
    if kind.startswith("Mapping"):
        return isinstance(value, dict) and (kind.endswith("Any]") or all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()))
    if kind == "bool":
        return isinstance(value, bool)
    if kind.startswith("tuple"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


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
