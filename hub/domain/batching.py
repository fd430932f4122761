"""A partner's outbound batching as a pure decision (profile keys `batch_window_seconds`,
`batch_max_messages`): partners validate it in profiles, routing batches by it. No Flask, no
SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.domain.errors import Problem, ValidationError

BATCH_KEYS = ("batch_window_seconds", "batch_max_messages")
MAX_WINDOW_SECONDS = 86_400
MAX_BATCH_MESSAGES = 99_999  # UNZ 0036 is n..6; a hub-sized limit well inside it
DEFAULT_BATCH_MESSAGES = 1_000  # when only a window is set


@dataclass(frozen=True)
class BatchPolicy:
    """A partner's outbound batching (EDIFACT only): off unless a window or a count is set."""

    window_seconds: int = 0
    max_messages: int = 1

    @property
    def on(self) -> bool:
        return self.window_seconds > 0 or self.max_messages > 1

    def due_at(self, opened: datetime) -> datetime:
        return opened + timedelta(seconds=self.window_seconds)


def batch_policy(profile: Mapping[str, Any] | None) -> BatchPolicy:
    """The batching settings of a partner profile; ValidationError naming a bad one."""
    profile = profile or {}
    window = _bounded_int(profile, "batch_window_seconds", 0, MAX_WINDOW_SECONDS, 0)
    default_max = DEFAULT_BATCH_MESSAGES if window else 1
    count = _bounded_int(profile, "batch_max_messages", 1, MAX_BATCH_MESSAGES, default_max)
    return BatchPolicy(window, count)


def _bounded_int(profile: Mapping[str, Any], key: str, low: int, high: int, default: int) -> int:
    value = profile.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{key} must be a whole number from {low} to {high}, got {value!r}",
                              problems=[Problem(code="PROFILE_SETTING", element=key,
                                                message=f"a whole number from {low} to {high}")])
    return value
