"""A partner's profile: stored as JSON on the partner, used as a PartnerProfile by the mappings."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from hub.domain.errors import ValidationError
from mappings.edifact.profile import GENERIC, PartnerProfile

_FIELDS = {f.name: f for f in dataclasses.fields(PartnerProfile) if f.init}
_TUPLES = {"render_party_schemes"}


def validate_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Check a profile document; unknown keys are refused so a typo never silently does nothing."""
    unknown = sorted(k for k in data if k not in _FIELDS and not k.startswith("_"))
    if unknown:
        raise ValidationError(f"unknown partner profile settings: {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(_FIELDS))}")
    build(data)
    return data


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
