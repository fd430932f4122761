"""Data-driven structure validation of one EDIFACT message (UNH ... UNT).

Structures are JSON files in `structures/` (one per message, directory and EANCOM subset). Each compiles
once into group tables: for every position in a group, which tag leads to which next position, and where
the next mandatory item is. Validation is then one pass over the segments with a stack of open groups.

A message whose directory (or subset) has no structure of its own is checked against the two nearest
known directories: what both find wrong is an error, what only one finds is a warning, since the
versions in between may differ in exactly that place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any

from hub.domain.errors import Problem
from mappings.edifact.model import Message, Segment
from mappings.edifact.segment_specs import known_directories, segment_specs
from mappings.edifact.tokenizer import REPETITION_MARK, repetitions

STRUCTURES = Path(__file__).parent / "structures"
_NUMERIC = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)\Z")
# UNH and UNT are checked by the envelope layer (references, counts, S009), not here.
_ENVELOPE = frozenset({"UNH", "UNT"})
_DIRECTORY = re.compile(r"[DS](\d\d)([A-C])\Z")


@dataclass(slots=True)
class _Node:
    """A segment or a group at one position of a group; `tag` is the segment or the group's trigger."""

    tag: str
    name: str
    required: bool
    max: int
    group: _Group | None


@dataclass(slots=True)
class _Group:
    name: str
    nodes: list[_Node]
    lookup: list[dict[str, int]]  # lookup[i]: tag -> first position j >= max(i, 1) that it can fill
    next_required: list[int]  # next_required[i]: first mandatory position after i, or len(nodes)
    # moves[i]: tag -> (j, max repeats of node j, its group or None, whether a mandatory item is skipped)
    moves: list[dict[str, tuple[int, int, _Group | None, bool]]] = field(default_factory=list)
    complete: list[bool] = field(default_factory=list)  # complete[i]: nothing mandatory after i


@dataclass(frozen=True, slots=True)
class Structure:
    """A compiled message structure."""

    name: str  # file stem, e.g. orders_d96a_ean008
    message: str
    directory: str
    association: str | None
    root: _Group
    tags: frozenset[str]


def _compile_group(name: str, items: list[dict[str, Any]]) -> _Group:
    nodes: list[_Node] = []
    for item in items:
        if "group" in item:
            sub = _compile_group(item["group"], item["items"])
            nodes.append(_Node(sub.nodes[0].tag, item["group"], item["required"], item["max"], sub))
        else:
            nodes.append(_Node(item["tag"], item["tag"], item["required"], item["max"], None))
    count = len(nodes)
    lookup: list[dict[str, int]] = [{} for _ in range(count)]
    following: dict[str, int] = {}
    for i in range(count - 1, -1, -1):
        if i >= 1:
            following = {**following, nodes[i].tag: i}
        lookup[i] = following
    next_required = [count] * count
    nxt = count
    for i in range(count - 1, -1, -1):
        next_required[i] = nxt
        if nodes[i].required:
            nxt = i
    moves = [{tag: (j, nodes[j].max, nodes[j].group, next_required[i] < j) for tag, j in lookup[i].items()}
             for i in range(count)]
    complete = [next_required[i] >= count for i in range(count)]
    return _Group(name, nodes, lookup, next_required, moves, complete)


def _all_tags(group: _Group) -> set[str]:
    tags: set[str] = set()
    for node in group.nodes:
        tags |= _all_tags(node.group) if node.group else {node.tag}
    return tags


@cache
def load_structure(name: str) -> Structure:
    """Compile `structures/<name>.json` (e.g. "orders_d96a"), once per process."""
    data = json.loads((STRUCTURES / f"{name.lower()}.json").read_text(encoding="utf-8"))
    root = _compile_group(data["message"], data["items"])
    return Structure(name.lower(), data["message"], data["directory"], data.get("association"),
                     root, frozenset(_all_tags(root)))


@cache
def _catalogue() -> dict[tuple[str, str, str | None], str]:
    """(message, directory, association) -> structure file stem, for every structure file."""
    out: dict[tuple[str, str, str | None], str] = {}
    for path in STRUCTURES.glob("*.json"):
        parts = path.stem.upper().split("_")
        if parts[0] == "SEGMENTS" or len(parts) not in (2, 3):
            continue
        out[(parts[0], parts[1], parts[2] if len(parts) == 3 else None)] = path.stem
    return out


def _age(directory: str) -> float | None:
    """D96A -> 1996.0, D01B -> 2001.5; None for anything else (e.g. CONTRL's syntax version)."""
    match = _DIRECTORY.match(directory.upper())
    if not match:
        return None
    year = int(match.group(1))
    return (1900 + year if year >= 90 else 2000 + year) + "ABC".index(match.group(2)) / 3


def select_structures(message_type: str, directory: str,
                      association: str | None) -> tuple[list[Structure], list[Problem]]:
    """The structures to check a message against (one if exact, else the two nearest) and notes why."""
    catalogue = _catalogue()
    mtype, dirn, assoc = message_type.upper(), directory.upper(), (association or "").upper() or None
    if (mtype, dirn, assoc) in catalogue:
        return [load_structure(catalogue[(mtype, dirn, assoc)])], []
    if assoc and (mtype, dirn, None) in catalogue:
        note = Problem("STRUCTURE_SUBSTITUTED", f"no {assoc} subset structure for {mtype} {dirn} is known; "
                       f"validated against the UN {dirn} message", severity="warning")
        return [load_structure(catalogue[(mtype, dirn, None)])], [note]
    candidates = [(d, stem) for (m, d, a), stem in catalogue.items() if m == mtype and a is None]
    if not candidates:
        return [], [Problem("UNKNOWN_MESSAGE", f"no structure is known for message type {message_type!r}")]
    age = _age(dirn)
    if age is None and len(candidates) == 1:
        return [load_structure(candidates[0][1])], []
    ranked = sorted(candidates, key=lambda c: (abs((_age(c[0]) or 0) - (age or 9999)), -(_age(c[0]) or 0)))
    chosen = [load_structure(stem) for _, stem in ranked[:2]]
    used = " and ".join(s.directory for s in chosen)
    note = Problem("STRUCTURE_NEAREST", f"no structure for {mtype} {dirn or '?'}"
                   f"{' ' + assoc if assoc else ''}; validated against {used}: only defects found by "
                   f"{'both' if len(chosen) > 1 else 'it'} are errors", severity="warning")
    return chosen, [note]


def validate_message(message: Message, *, structure: str | None = None,
                     repetition: str | None = None) -> list[Problem]:
    """Check segment order, groups, mandatory items, repeats and element values; return the problems.

    `structure` forces a structure file (e.g. "orders_d96a"); `repetition` is the syntax 4 repetition
    separator when the interchange uses one (then repeated elements are split on it).
    """
    if structure is not None:
        chosen, notes = [load_structure(structure)], list[Problem]()
    else:
        chosen, notes = select_structures(message.type, message.directory, message.association)
    ref = message.reference
    for note in notes:
        note.message_ref = ref
    if not chosen:
        return notes
    runs = [check_against(message, s, repetition) for s in chosen]
    if not any(n.code == "STRUCTURE_NEAREST" for n in notes):
        return notes + runs[0]
    return notes + _consensus(runs, [s.directory for s in chosen])


def _consensus(runs: list[list[Problem]], directories: list[str]) -> list[Problem]:
    """Errors that every run found stay errors; the rest become warnings naming the directory."""
    keys = [{(p.code, p.segment_position, p.element, p.component) for p in run} for run in runs]
    shared = set.intersection(*keys) if len(keys) > 1 else set()
    seen: set[tuple[Any, ...]] = set()
    out: list[Problem] = []
    for run, directory in zip(runs, directories, strict=True):
        for p in run:
            key = (p.code, p.segment_position, p.element, p.component)
            if key in seen:
                continue
            seen.add(key)
            if key not in shared:
                p.severity = "warning"
                p.message = f"{p.message} (by {directory} only)"
            out.append(p)
    out.sort(key=lambda p: p.segment_position or 0)
    return out


def check_against(message: Message, structure: Structure, repetition: str | None = None) -> list[Problem]:
    """Validate `message` against one compiled structure and its directory's segment specs."""
    ref = message.reference
    segments = message.segments
    # service messages (CONTRL) are keyed by syntax version; their segments are in every directory file
    directory = structure.directory if structure.directory in known_directories() else "D24A"
    specs = _compiled_specs(directory)
    get = _fast_specs(directory).get
    found: list[Problem] = []
    position = 1
    for segment in islice(segments, 1, None):
        position += 1
        tag = segment.tag
        ok = get(tag)
        if ok is not None and (repetition or not ok(segment.elements)) and tag not in _ENVELOPE:
            _check_elements(segment.elements, specs[tag], tag, position, ref, repetition, found)
    walked = _walk(structure, segments, ref)
    if not found:
        return [Problem(code, text, ref, at, tag) for _rank, code, text, at, tag in walked]
    # in segment order; at one position the placement problem first, the closing ones after the elements'
    ranked = [(at, rank, i, Problem(code, text, ref, at, tag))
              for i, (rank, code, text, at, tag) in enumerate(walked)]
    ranked += [(p.segment_position or 0, 1, i, p) for i, p in enumerate(found)]
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked]


# What walking a tag sequence through a structure finds depends on nothing else, and a partner's messages
# repeat a few sequences: each walk is kept, per structure, for sequences up to _WALK_LIMIT segments.
_WALK_LIMIT = 2_000
_WALK_CACHE_SIZE = 1_024
_WALKS: dict[str, dict[tuple[str, ...], list[tuple[int, str, str, int, str]]]] = {}
_TAG = attrgetter("tag")


def _walk(structure: Structure, segments: list[Segment],
          ref: str) -> list[tuple[int, str, str, int, str]]:
    """(rank, code, message, position, tag) of each placement problem; rank 2 when found at the end."""
    if len(segments) > _WALK_LIMIT:
        return _walk_now(structure, [s.tag for s in segments], ref)
    tags = tuple(map(_TAG, segments))
    cache = _WALKS.setdefault(structure.name, {})
    walked = cache.get(tags)
    if walked is None:
        if len(cache) >= _WALK_CACHE_SIZE:
            cache.clear()
        walked = cache[tags] = _walk_now(structure, tags, ref)
    return walked


def _walk_now(structure: Structure, tags: Sequence[str], ref: str) -> list[tuple[int, str, str, int, str]]:
    problems: list[Problem] = []
    walker = _Walker(structure, ref, problems)
    step = walker.step
    for position in range(2, len(tags) + 1):
        step(tags[position - 1], position)
    during = len(problems)
    walker.finish(len(tags))
    return [(0 if i < during else 2, p.code, p.message, p.segment_position or 0, p.segment_tag or "")
            for i, p in enumerate(problems)]


class _Walker:
    """The open groups while walking a message: one frame [group, position, count] per level."""

    __slots__ = ("problems", "ref", "stack", "structure")

    def __init__(self, structure: Structure, ref: str, problems: list[Problem]) -> None:
        self.structure = structure
        self.ref = ref
        self.problems = problems
        self.stack: list[list[Any]] = [[structure.root, 0, 1]]

    def step(self, tag: str, position: int) -> None:
        """Place one segment in the structure, or report why it cannot be placed."""
        stack = self.stack
        depth = len(stack) - 1
        while depth >= 0:
            frame = stack[depth]
            move = frame[0].moves[frame[1]].get(tag)
            if move is not None:
                break
            depth -= 1
        else:
            self._misplaced(tag, position)
            return
        if depth < len(stack) - 1:
            for inner in range(len(stack) - 1, depth, -1):
                closing = stack[inner]
                if not closing[0].complete[closing[1]]:
                    self._close(closing, tag, position)
            del stack[depth + 1:]
        j, maximum, sub, skips = move
        if j == frame[1]:
            frame[2] += 1
            if frame[2] > maximum:
                self._too_many(frame[0].nodes[j], tag, position)
        else:
            if skips:
                self._missing(frame[0], frame[1], j, tag, position)
            frame[1] = j
            frame[2] = 1
        if sub is not None:
            stack.append([sub, 0, 1])

    def finish(self, last_position: int) -> None:
        """Close every open group at the end of the message."""
        for frame in reversed(self.stack):
            self._close(frame, "end of message", last_position)

    def _close(self, frame: list[Any], tag: str, position: int) -> None:
        group: _Group = frame[0]
        if group.next_required[frame[1]] < len(group.nodes):
            self._missing(group, frame[1], len(group.nodes), tag, position)

    def _missing(self, group: _Group, i: int, j: int, tag: str, position: int) -> None:
        for k in range(i + 1, j):
            node = group.nodes[k]
            if not node.required:
                continue
            if node.group is None:
                self.problems.append(Problem(
                    "SEGMENT_MISSING", f"mandatory segment {node.tag} is missing before {tag}",
                    self.ref, position, node.tag))
            else:
                self.problems.append(Problem(
                    "GROUP_MISSING", f"mandatory group {node.name} (starting with {node.tag}) is missing "
                    f"before {tag}", self.ref, position, node.tag))

    def _too_many(self, node: _Node, tag: str, position: int) -> None:
        what = f"group {node.name} (starting with {tag})" if node.group else f"segment {tag}"
        where = f" in {self.stack[-1][0].name}" if len(self.stack) > 1 else ""
        self.problems.append(Problem(
            "TOO_MANY_REPEATS", f"{what} repeated beyond its maximum of {node.max}{where}",
            self.ref, position, tag))

    def _misplaced(self, tag: str, position: int) -> None:
        for frame in self.stack:
            group: _Group = frame[0]
            if any(node.tag == tag for node in group.nodes[: frame[1]]):
                current = self.stack[-1][0].nodes[self.stack[-1][1]].name
                self.problems.append(Problem(
                    "SEGMENT_ORDER", f"segment {tag} is out of order: it must come before {current} "
                    f"in {self.structure.message} {self.structure.directory}", self.ref, position, tag))
                return
        name = f"{self.structure.message} {self.structure.directory}"
        why = f"is not allowed here in {name}" if tag in self.structure.tags else f"is not part of {name}"
        self.problems.append(Problem("UNEXPECTED_SEGMENT", f"segment {tag} {why}", self.ref, position, tag))


# -- element checks ----------------------------------------------------------------------------------

# (path, required, type, max length) for each component; a simple element has one with path = its id
_Comp = tuple[str, bool, str, int]
# (id, required, repeat, composite, components)
_Pos = tuple[str, bool, int, bool, tuple[_Comp, ...]]


@cache
def _compiled_specs(directory: str) -> dict[str, tuple[_Pos, ...]]:
    out: dict[str, tuple[_Pos, ...]] = {}
    for tag, spec in segment_specs(directory).items():
        out[tag] = tuple(
            (p.id, p.required, p.repeat, p.composite,
             tuple((f"{p.id}/{c.id}" if p.composite else p.id, c.required, c.type, c.max_length)
                   for c in p.components))
            for p in spec)
    return out


# Fast path: each segment spec is compiled once into a small Python function with its limits inlined,
# answering only "is this segment certainly valid?". A segment that passes has no problem; one that
# fails goes through the detailed checks, which say why. This keeps valid traffic cheap.
_DECIMAL = re.compile(r"-?\d+[.,]\d+\Z").match
_HAS_DIGIT = re.compile(r"\d").search


def _breaks(kind: str, max_length: int) -> str:
    """A condition true when the non-empty component value `v` breaks its type or length."""
    if kind == "an":
        return f"len(v) > {max_length}"
    if kind == "n":
        return f"len(v) > {max_length} or not v.isascii() or not (v.isdigit() or _DECIMAL(v))"
    return f"len(v) > {max_length} or _HAS_DIGIT(v)"


def _component_source(comp: _Comp, required: bool, pad: str) -> list[str]:
    """Check component value `v`: an empty one fails only when `required`."""
    _path, _comp_required, kind, max_length = comp
    lines = [f"{pad}if v:", f"{pad}    if {_breaks(kind, max_length)}: return False"]
    if required:
        lines.append(f"{pad}else: return False")
    return lines


def _composite_source(comps: tuple[_Comp, ...], j: int, pad: str) -> list[str]:
    """Check components j, j+1, ... of composite `e`, which has `m` components (more than j). Each
    is tested inside the test that it is present, so a short composite skips what it lacks."""
    lines = [f"{pad}v = e[{j}]", *_component_source(comps[j], comps[j][1], pad)]
    if j + 1 < len(comps):
        lines.append(f"{pad}if m > {j + 1}:")
        lines += _composite_source(comps, j + 1, pad + "    ")
        if any(required for _path, required, _kind, _max in comps[j + 1:]):
            lines.append(f"{pad}else: return False")  # a mandatory component is missing
    return lines


def _position_source(k: int, position: _Pos) -> list[str]:
    """Check element `k` of the segment, if present; `els` holds the elements, `n` their number."""
    _pid, required, repeat, composite, comps = position
    lines = [f"    if n > {k}:", f"        e = els[{k}]"]
    if composite:
        lines += ["        m = len(e)", f"        if m > {len(comps)}: return False"]
        if repeat > 1:
            lines.append(f"        if {REPETITION_MARK!r} in e: return False")
        lines.append("        if e[0] or any(e):")
        lines += _composite_source(comps, 0, " " * 12)
        if required:
            lines.append("        else: return False")
    else:  # a simple element: one component, never mandatory on its own (the position is)
        lines.append("        if len(e) > 1: return False")
        if repeat > 1:
            lines.append(f"        if {REPETITION_MARK!r} in e: return False")
        lines.append("        v = e[0]")
        lines += _component_source(comps[0], required, " " * 8)
    if required:
        lines.append("    else: return False")
    return lines


def _fast_source(spec: tuple[_Pos, ...]) -> str:
    lines = ["def ok(els):", "    n = len(els)", f"    if n > {len(spec)}: return False"]
    for k, position in enumerate(spec):
        lines += _position_source(k, position)
    lines.append("    return True")
    return "\n".join(lines)


@cache
def _fast_specs(directory: str) -> dict[str, Callable[[list[list[str]]], bool]]:
    out: dict[str, Callable[[list[list[str]]], bool]] = {}
    for tag, spec in _compiled_specs(directory).items():
        namespace: dict[str, Any] = {"_DECIMAL": _DECIMAL, "_HAS_DIGIT": _HAS_DIGIT}
        exec(compile(_fast_source(spec), f"<segment spec {directory} {tag}>", "exec"), namespace)
        out[tag] = namespace["ok"]
    return out


def _check_elements(elements: list[list[str]], spec: tuple[_Pos, ...], tag: str, position: int,
                    ref: str, repetition: str | None, problems: list[Problem]) -> None:
    if len(elements) > len(spec) and any(any(c for c in e) for e in elements[len(spec):]):
        problems.append(Problem("TOO_MANY_ELEMENTS", f"{tag} has {len(elements)} elements, at most "
                                f"{len(spec)} are defined", ref, position, tag))
    count = len(elements)
    for index, (pid, required, repeat, composite, comps) in enumerate(spec):
        element = elements[index] if index < count else None
        if element is None or not any(element):
            if required:
                problems.append(Problem("ELEMENT_MISSING", f"mandatory element {pid} is missing",
                                        ref, position, tag, pid))
            continue
        split = repeat > 1 and repetition and any(repetition in c for c in element)
        if split or REPETITION_MARK in element:
            _check_repetitions(element, pid, repeat, composite, comps, tag, position, ref, repetition,
                               problems)
            continue
        _check_element(element, pid, composite, comps, tag, position, ref, problems)


def _check_repetitions(element: list[str], pid: str, repeat: int, composite: bool, comps: tuple[_Comp, ...],
                       tag: str, position: int, ref: str, repetition: str | None,
                       problems: list[Problem]) -> None:
    if REPETITION_MARK in element:  # our tokenizer marks a repetition separator by a component of its own
        occurrences = repetitions(element)
    else:  # text split on ":" only (pydifact): rejoin and split on the repetition separator
        occurrences = [part.split(":") for part in ":".join(element).split(repetition or "*")]
    if len(occurrences) > repeat:
        problems.append(Problem("TOO_MANY_REPETITIONS", f"element {pid} is repeated {len(occurrences)} "
                                f"times, at most {repeat} are allowed", ref, position, tag, pid))
    for occurrence in occurrences:
        _check_element(occurrence, pid, composite, comps, tag, position, ref, problems)


def _check_element(element: list[str], pid: str, composite: bool, comps: tuple[_Comp, ...], tag: str,
                   position: int, ref: str, problems: list[Problem]) -> None:
    if len(element) > len(comps) and any(element[len(comps):]):
        what = f"composite {pid} has {len(element)} components, at most {len(comps)}" if composite \
            else f"simple element {pid} has {len(element)} components, it takes 1"
        problems.append(Problem("TOO_MANY_COMPONENTS", f"{what} are defined" if composite else what,
                                ref, position, tag, pid))
    count = len(element)
    for index, (path, required, kind, max_length) in enumerate(comps):
        value = element[index] if index < count else ""
        component = index + 1 if composite else None
        if not value:
            if required and composite:
                problems.append(Problem("ELEMENT_MISSING", f"mandatory component {path} is missing",
                                        ref, position, tag, path, component))
            continue
        if kind == "an":
            if len(value) > max_length:
                problems.append(_too_long(value, max_length, path, tag, position, ref, component))
        elif kind == "n":
            _check_numeric(value, max_length, path, tag, position, ref, component, problems)
        elif any(ch.isdigit() for ch in value):
            problems.append(Problem("NOT_ALPHABETIC", f"{value!r} in {path} must not contain digits",
                                    ref, position, tag, path, component))
        elif len(value) > max_length:
            problems.append(_too_long(value, max_length, path, tag, position, ref, component))


def _check_numeric(value: str, max_length: int, path: str, tag: str, position: int, ref: str,
                   component: int | None, problems: list[Problem]) -> None:
    if value.isdigit() and value.isascii():
        digits = len(value)
    elif _NUMERIC.match(value) and value.isascii():
        digits = sum(ch.isdigit() for ch in value)
    else:
        problems.append(Problem("NOT_NUMERIC", f"{value!r} in {path} is not a number", ref, position, tag,
                                path, component))
        return
    if digits > max_length:
        problems.append(Problem("TOO_LONG", f"{value!r} in {path} has {digits} digits, at most "
                                f"{max_length} are allowed", ref, position, tag, path, component))


def _too_long(value: str, max_length: int, path: str, tag: str, position: int, ref: str,
              component: int | None) -> Problem:
    return Problem("TOO_LONG", f"{value[:40]!r} in {path} has {len(value)} characters, at most "
                   f"{max_length} are allowed", ref, position, tag, path, component)
