"""One error tree for the hub. Each error carries what a partner or operator needs to fix the input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.domain.answers import Answer


@dataclass
class Problem:
    """One specific defect: where it is and why. Positions are 1-based; None when not applicable."""

    code: str  # stable machine-readable code, e.g. "UNT_COUNT", "NOT_NUMERIC", "XML_DOCTYPE"
    message: str
    message_ref: str | None = None  # UNH 0062 or XML document id
    segment_position: int | None = None  # segment index within the message (UNH = 1) or interchange
    segment_tag: str | None = None
    element: str | None = None  # e.g. "C186/6060" or "0020" or an XPath
    component: int | None = None
    severity: str = "error"  # error or warning

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        where = []
        if self.message_ref:
            where.append(f"message {self.message_ref}")
        if self.segment_position is not None:
            where.append(f"segment {self.segment_position}")
        if self.segment_tag:
            where.append(self.segment_tag)
        if self.element:
            where.append(f"element {self.element}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


# A file with 100,000 defects keeps the first ones and their count, not a 30 MB error.
MAX_PROBLEMS = 200


def bounded(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS, the last one saying how many more there were."""
    total = len(problems) + getattr(problems, "dropped", 0)  # a ProblemLog counts what it dropped
    if total <= MAX_PROBLEMS:
        return problems
    more = total - MAX_PROBLEMS + 1
    return [*problems[:MAX_PROBLEMS - 1], Problem(code="MORE_PROBLEMS", severity=problems[-1].severity,
                                                   message=f"{more} more not kept")]


@dataclass
class ProblemTally:
    """The first MAX_PROBLEMS errors found and how many there were: a file with a million
    defects keeps a bounded list while it is read."""

    kept: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problems: list[Problem]) -> None:
        self.total += len(problems)
        self.kept.extend(problems[:max(0, MAX_PROBLEMS - len(self.kept))])


# What a ProblemLog keeps: well past what is shown, so that every kept problem can still be placed.
MAX_LOGGED = 1_000


class ProblemLog(list[Problem]):
    """A list of Problems that keeps the first `limit` and only counts the rest (by severity): what
    a reader appends to while it streams a file that may hold a defect in every byte."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0
        self.dropped_errors = 0

    def append(self, problem: Problem) -> None:
        """Keep `problem`, or count it once the log is full."""
        if len(self) < self.limit:
            super().append(problem)
            return
        self.dropped += 1
        if problem.severity == "error":
            self.dropped_errors += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        """Append each of `problems`."""
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> ProblemLog:  # type: ignore[override,misc]
        self.extend(problems)
        return self


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    code = "HUB_ERROR"
    http_status = 500

    def __init__(self, message: str, *, problems: list[Problem] | None = None,
                 problems_total: int | None = None, answers: list[Answer] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []
        # what the refusal sends back to the partner, queued once the failure is recorded
        self.answers: list[Answer] = list(answers or [])
        # how many were found, when only the first ones are kept (see MAX_PROBLEMS)
        self.problems_total = max(problems_total or 0, len(self.problems))

    def as_dict(self) -> dict[str, Any]:
        """The error as stored on an exchange and shown by the API, at most MAX_PROBLEMS problems."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.problems:
            out["problems"] = [p.as_dict() for p in self.problems[:MAX_PROBLEMS]]
        if self.problems_total > MAX_PROBLEMS or self.problems_total > len(self.problems):
            out["problems_total"] = self.problems_total
        return out


class ValidationError(HubError):
    """The input is defective: syntax, envelope, structure or business rules."""

    code = "VALIDATION_ERROR"
    http_status = 422


class Purged(HubError):
    """The content asked for was purged by the retention policy; the row and its digest remain."""

    code = "PURGED"
    http_status = 410


class MappingError(HubError):
    """The input is valid but cannot be translated (unsupported construct, unknown code)."""

    code = "MAPPING_ERROR"
    http_status = 422


class UnsupportedContent(ValidationError):
    """The hub does not (yet) know how to process this kind of content."""

    code = "UNSUPPORTED_CONTENT"


class IllegalTransition(HubError):
    code = "ILLEGAL_TRANSITION"
    http_status = 409


class NotFound(HubError):
    code = "NOT_FOUND"
    http_status = 404


class ConnectorError(HubError):
    """A delivery or fetch through a connector failed; `retryable` says whether to try again."""

    code = "CONNECTOR_ERROR"
    http_status = 502

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable
