"""The work done on each EDIFACT message of an interchange: split its segments, validate its structure
and control counts, map it to a canonical document and flatten that into a storable record.

Pure (no database, no Flask): it runs in-process for small interchanges and in worker processes for
big ones, with the same results. What travels is plain text: a message's segment texts in, Problems
and a `DocumentRecord` out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.domain.errors import MAX_LOGGED, HubError, Problem
from hub.domain.records import DocumentRecord, record_of
from mappings.edifact import registry
from mappings.edifact.controls import line_count_problems
from mappings.edifact.limits import DEFAULT, LimitExceeded, Limits, exceeded
from mappings.edifact.model import Message, Separators
from mappings.edifact.profile import PartnerProfile, build
from mappings.edifact.structure import validate_message
from mappings.edifact.tokenizer import materialize, paused_gc


@dataclass(frozen=True)
class Context:
    """What every message of one interchange is mapped with."""

    separators: Separators
    profile: dict[str, Any]  # the partner's stored profile data
    partner: str  # the partner's name, for a partner-specific mapping
    tolerate_count_mismatch: bool = False
    limits: Limits = DEFAULT


_JOIN = "\x1d"  # a control character: the charset check refuses it in EDIFACT data


@dataclass(frozen=True, slots=True)
class MessageJob:
    """One message as the envelope reader found it: its UNH fields and its segments' texts."""

    position: int  # message number in the interchange, from 1
    reference: str
    type: str
    version: str
    release: str
    agency: str
    association: str | None
    group_reference: str | None
    first_segment: int  # the interchange position of its UNH
    # the segment texts, UNH to UNT, release characters kept: joined by _JOIN (one string travels
    # between processes far cheaper than sixty), or a list if a text holds that character itself
    texts: str | list[str]

    @classmethod
    def of(cls, position: int, message: Message, separators: Separators,
           limits: Limits = DEFAULT) -> MessageJob:
        """The job for a message read lazily (its segments keep their text). Raises LimitExceeded
        for a message of more values than `limits` allow: splitting it would cost far more memory
        than its text (an empty element is a list of its own)."""
        pieces = [s if type(s) is str else s.raw for s in message.segments]  # lazy: str or Segment
        joined = _JOIN.join(pieces)
        values = joined.count(separators.element) + joined.count(separators.component)
        if values > limits.message_values:
            raise exceeded("MESSAGE_TOO_LARGE", f"message {message.reference!r} has {values} "
                           f"elements and components, more than {limits.message_values}",
                           "HUB_MAX_MESSAGE_VALUES", position=1, tag="UNH",
                           message_ref=message.reference or None)
        texts = joined if joined.count(_JOIN) == len(pieces) - 1 else pieces
        return cls(position, message.reference, message.type, message.version, message.release,
                   message.agency, message.association, message.group_reference,
                   message.segments[0].position, texts)

    def message(self, separators: Separators, limits: Limits = DEFAULT) -> Message:
        """The message with its segments split; LimitExceeded names a segment past the limits,
        its position counted in the message."""
        pieces = self.texts.split(_JOIN) if isinstance(self.texts, str) else self.texts
        try:
            segments = materialize(pieces, separators, self.first_segment, limits)
        except LimitExceeded as exc:
            for problem in exc.problems:
                problem.message_ref = self.reference or None
                if problem.segment_position is not None:
                    problem.segment_position -= self.first_segment - 1
            raise
        return Message(self.reference, self.type, self.version, self.release, self.agency,
                       self.association, segments, self.group_reference)

    def pack(self) -> tuple[Any, ...]:
        """Plain values, quick to pickle; `MessageJob(*packed)` rebuilds the job."""
        return (self.position, self.reference, self.type, self.version, self.release,
                self.agency, self.association, self.group_reference, self.first_segment,
                self.texts)

    @property
    def message_type(self) -> str:
        """As stored on the document, e.g. ORDERS:D:96A:UN:EAN008."""
        parts = [self.type, self.version, self.release, self.agency]
        if self.association:
            parts.append(self.association)
        return ":".join(parts)


@dataclass(slots=True)
class MessageResult:
    """What became of one message. Mapping results are kept apart from validation's: the caller
    ignores them once an earlier message has failed (the interchange is rejected whole)."""

    position: int
    reference: str
    invalid: list[Problem] = field(default_factory=list)  # structure and count errors
    warnings: list[Problem] = field(default_factory=list)  # structure and count warnings
    mapping_errors: list[Problem] = field(default_factory=list)
    mapping_warnings: list[Problem] = field(default_factory=list)
    record: DocumentRecord | None = None
    unlisted: int = 0  # structure and count errors found beyond those in `invalid`
    limited: bool = False  # a segment passed a shape limit (its LimitExceeded is in `invalid`)

    def pack(self) -> tuple[Any, ...]:
        """Plain values, quick to pickle; `MessageResult.unpack` rebuilds the result."""
        return (self.position, self.reference, self.invalid, self.warnings, self.mapping_errors,
                self.mapping_warnings, None if self.record is None else self.record.values(),
                self.unlisted, self.limited)

    @classmethod
    def unpack(cls, packed: tuple[Any, ...]) -> MessageResult:
        (position, reference, invalid, warnings, mapping_errors, mapping_warnings, record,
         unlisted, limited) = packed
        return cls(position, reference, invalid, warnings, mapping_errors, mapping_warnings,
                   None if record is None else DocumentRecord(*record), unlisted, limited)


def work(context: Context, jobs: list[MessageJob], *, keep_documents: bool = False
         ) -> list[MessageResult]:
    """Validate and map each message; the results in the jobs' order. In-process, the records can
    keep their document objects; from a worker only their JSON text travels back."""
    with paused_gc():  # mapping makes many small acyclic objects; collecting them is wasted work
        return _work(context, jobs, keep_documents)


def _work(context: Context, jobs: list[MessageJob], keep_documents: bool) -> list[MessageResult]:
    profile = build(context.profile)
    results = []
    for job in jobs:
        result = MessageResult(job.position, job.reference)
        results.append(result)
        try:
            message = job.message(context.separators, context.limits)
        except LimitExceeded as exc:
            result.invalid, result.limited = exc.problems, True
            continue
        problems = validate_message(message)
        problems += line_count_problems(message, tolerate=context.tolerate_count_mismatch)
        for problem in problems:
            (result.invalid if problem.severity == "error" else result.warnings).append(problem)
        # a message of 200,000 stray segments has as many problems: only the first ones travel
        result.unlisted = max(0, len(result.invalid) - MAX_LOGGED)
        del result.invalid[MAX_LOGGED:], result.warnings[MAX_LOGGED:]
        if not result.invalid:
            _map(context, profile, job, message, result, keep_documents)
    return results


def work_packed(context: Context, packed_jobs: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """`work` on packed jobs, giving packed results: what a worker process runs."""
    return [result.pack() for result in work(context, [MessageJob(*job) for job in packed_jobs])]


def _map(context: Context, profile: PartnerProfile, job: MessageJob, message: Message,
         result: MessageResult, keep_document: bool) -> None:
    try:
        mapping = registry.lookup(message.type, message.directory, registry.INBOUND,
                                  context.partner)
        doc = mapping.parse(message, profile, decimal_mark=context.separators.decimal,
                            warnings=result.mapping_warnings)
        result.record = record_of(job.position, message.reference, job.message_type, doc,
                                  keep_document=keep_document)
    except HubError as exc:
        result.mapping_errors = [_with_ref(p, message) for p in exc.problems] or [
            Problem(code=exc.code, message=exc.message, message_ref=message.reference)]


def _with_ref(problem: Problem, message: Message) -> Problem:
    if problem.message_ref is None:
        problem.message_ref = message.reference
    return problem
