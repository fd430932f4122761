"""The outcome of validating a file the hub is about to send: the rules that ran and what they found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.domain.errors import Problem, bounded


@dataclass
class Validation:
    """Every layer that ran (with the version of its rules, e.g. "EN16931 1.3.16") and its findings."""

    rules: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, rules: str, problems: list[Problem]) -> None:
        """Record that the `rules` ran and found `problems`."""
        if rules not in self.rules:
            self.rules.append(rules)
        self.problems.extend(problems)

    @property
    def fatal(self) -> list[Problem]:
        """Findings that stop the file from being sent."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Findings that are recorded but do not stop the file."""
        return [p for p in self.problems if p.severity != "error"]

    def summary(self) -> dict[str, Any]:
        """What is kept on the exchange: the rules that ran and how many findings of each kind."""
        return {"rules": list(self.rules), "fatal": len(self.fatal), "warnings": len(self.warnings)}

    def fatal_dicts(self) -> list[dict[str, Any]]:
        """The fatal findings as stored (bounded)."""
        return [p.as_dict() for p in bounded(self.fatal)]
