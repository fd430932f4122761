"""Routing rules and outbound batching as pure decisions: which rule a document matches, what its
targets are, and when a partner's batch is due. No Flask, no SQLAlchemy.

A rule's criteria (source partner, recipient partner or the hub itself, document type, test flag)
are each optional (None: any). Rules are ordered by `position`; the first rule that matches
decides, and one rule may name several ERP connectors and several partners. With no rules at all
the hub routes as it always did (every active connector of the document's type, and the partner
the document is addressed to); once rules exist, a live document that no rule matches is held
(`no_route`) until one does. A test document is routed only by a rule that takes test documents
(`test` true or any), and is never held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hub.domain.errors import Problem, ValidationError

NO_ROUTE = "no_route"
TEST_CHOICES = {"yes": True, "no": False, "any": None}


@dataclass(frozen=True)
class Facts:
    """What a rule looks at in a document."""

    source_id: int | None  # None: the hub itself (an invoice it issues)
    recipient_id: int | None
    doc_type: str
    test: bool = False


@dataclass(frozen=True)
class Rule:
    """One routing rule: criteria (None: any) and targets (connector ids, partner ids)."""

    id: int
    position: int
    source_id: int | None = None
    recipient_id: int | None = None
    doc_type: str | None = None
    test: bool | None = False
    to_hub: bool = False  # only documents addressed to the hub itself (no partner of it)
    connector_ids: tuple[int, ...] = ()
    partner_ids: tuple[int, ...] = ()

    def matches(self, facts: Facts) -> bool:
        """Whether every criterion of the rule holds for the document."""
        return ((self.source_id is None or self.source_id == facts.source_id)
                and (self.recipient_id is None or self.recipient_id == facts.recipient_id)
                and (not self.to_hub or facts.recipient_id is None)
                and (self.doc_type is None or self.doc_type == facts.doc_type)
                and (self.test is None or self.test == facts.test))


@dataclass(frozen=True)
class Decision:
    """Where a document goes: the rule that decided (None: the default routing), its targets, or
    `held` when rules exist and none matched."""

    rule_id: int | None
    connector_ids: tuple[int, ...] = ()
    partner_ids: tuple[int, ...] = ()
    held: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "connector_ids": list(self.connector_ids),
                "partner_ids": list(self.partner_ids), **({"held": NO_ROUTE} if self.held else {})}


def decide(rules: Sequence[Rule], facts: Facts, default: Decision) -> Decision:
    """The first matching rule's targets (the source partner is never a target of its own
    document); `default` when there are no rules; held when none matches a live document."""
    if not rules:
        return default
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        if rule.matches(facts):
            return Decision(rule.id, rule.connector_ids,
                            tuple(p for p in rule.partner_ids if p != facts.source_id))
    return Decision(None, held=not facts.test)


def parse_test_flag(value: str) -> bool | None:
    """`yes`, `no` or `any` as the rule's test criterion."""
    if value not in TEST_CHOICES:
        raise ValidationError(f"test must be yes, no or any, got {value!r}", problems=[
            Problem(code="ROUTE_FIELD", element="test", message="yes, no or any")])
    return TEST_CHOICES[value]


def label_of_test_flag(value: bool | None) -> str:
    return next(k for k, v in TEST_CHOICES.items() if v is value)
