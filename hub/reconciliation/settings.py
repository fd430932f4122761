"""Matching's settings, read from the environment with the hub's other settings (the rules and
tolerances themselves are data: `matching_rules`, `matching_tolerances`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MatchingSettings:
    every_minutes: int = 60  # HUB_RECONCILE_EVERY_MINUTES: the scheduled run's slot length
    enabled: bool = True  # HUB_RECONCILE=0 turns the scheduled run off

    @classmethod
    def from_env(cls, env: dict[str, str]) -> MatchingSettings:
        return cls(every_minutes=int(env.get("HUB_RECONCILE_EVERY_MINUTES", "60")),
                   enabled=env.get("HUB_RECONCILE", "1") not in ("0", "false", "no"))
