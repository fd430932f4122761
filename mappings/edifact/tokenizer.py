"""EDIFACT tokenizer: decoded text -> segments, fast and with positions in its errors.

Split-based: the text is split on the segment terminator, each segment on the element and component
separators; only segments that contain the release character go through a (slower) regex path. It gives
the same segments as pydifact 0.2.3, with three deliberate differences:

- trailing empty components are kept (`"A:"` is `["A", ""]`, pydifact gives `"A"`);
- a syntax 4 repetition separator (UNA position 5, or `*` by default in syntax 4) splits an element into
  its occurrences: the element stays one entry of `Segment.elements` (so later element positions don't
  move) and `REPETITION_MARK` stands between the components of consecutive occurrences, e.g.
  `COM+s11:AA*s21:AA` gives `[["s11", "AA", REPETITION_MARK, "s21", "AA"]]`; `repetitions()` splits it;
- a syntax 4 package object (between `UNO...'` and `UNP`, its length declared in UNO) is not split: it
  becomes one extra last element of the UNO segment, `[object_text]` (pydifact chokes on it);
- defects are `Problem`s (code, segment position and tag) instead of exceptions or silent drops.

Values stay raw: a decimal comma is not touched here; `to_decimal()` reads numbers.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, cast

from hub.domain.errors import Problem, ValidationError
from mappings.edifact.limits import DEFAULT, Limits, check_segment, exceeded
from mappings.edifact.model import Segment, Separators

# A component value that cannot occur in decoded EDIFACT data (ASCII "record separator" is outside every
# repertoire we accept, and charsets.py rejects control characters), standing for a repetition separator.
REPETITION_MARK = "\x1e"

_BOM = "\ufeff"
_BETWEEN_SEGMENTS = " \r\n"  # what pydifact skips after a segment terminator
_TAG = re.compile(r"[A-Z][A-Z0-9]{2}\Z")
_DEC_MARKS = (".", ",")


def default_separators(syntax_version: str = "3") -> Separators:
    """The separators an interchange uses without UNA: syntax 4 adds `*` as repetition separator."""
    return Separators(repetition="*") if syntax_version.strip() == "4" else Separators()


def _una_problem(message: str) -> ValidationError:
    problem = Problem(code="UNA_INVALID", message=message, segment_tag="UNA", element="UNA")
    return ValidationError(f"invalid UNA: {message}", problems=[problem])


def _start_offset(text: str) -> int:
    """Offset of the first segment: after a byte order mark and leading whitespace."""
    offset = 1 if text.startswith(_BOM) else 0
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    return offset


def read_una(text: str, default: Separators | None = None) -> tuple[Separators, int]:
    """The separators a leading UNA declares (or `default`) and the offset where the segments start.

    UNA is recognised only at the very start (after an optional BOM and whitespace). Its six characters
    must be distinct service characters; a space in the release or repetition position means "not used".
    Raises `ValidationError` (code UNA_INVALID) for a UNA that cannot be used.
    """
    offset = _start_offset(text)
    if not text.startswith("UNA", offset):
        return (default or Separators()), offset
    chars = text[offset + 3: offset + 9]
    if len(chars) != 6:
        raise _una_problem("UNA must be followed by exactly six service characters")
    component, element, decimal, release, repetition, segment = list(chars)
    used = [c for c in (component, element, release, repetition, segment) if c != " "]
    if component == " " or element == " " or segment == " ":
        raise _una_problem("a space cannot be the component, element separator or segment terminator")
    if len(set(used)) != len(used) or decimal in used:
        raise _una_problem(f"service characters {chars!r} are not all different")
    if any(c.isalnum() for c in chars):
        raise _una_problem(f"letters and digits cannot be service characters ({chars!r})")
    if decimal not in _DEC_MARKS:
        raise _una_problem(f"decimal mark must be '.' or ',', not {decimal!r}")
    seps = Separators(component=component, element=element, decimal=decimal, release=release,
                      repetition=repetition, segment=segment)
    return seps, offset + 9


def repetitions(element: list[str]) -> list[list[str]]:
    """The occurrences of a repeated (syntax 4) element, each a list of components."""
    out: list[list[str]] = [[]]
    for component in element:
        if component == REPETITION_MARK:
            out.append([])
        else:
            out[-1].append(component)
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the garbage collector (allocating ~10 small lists per segment triggers it constantly)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _odd_trailing(piece: str, release: str) -> bool:
    """Whether `piece` ends with an odd number of release characters (so its last one is active)."""
    count = len(piece) - len(piece.rstrip(release))
    return count % 2 == 1


def _join_released(pieces: list[str], terminator: str, release: str) -> list[str]:
    """Glue back pieces whose terminator was released (`?'`)."""
    out, pending = _glue_released(pieces, None, terminator, release)
    if pending is not None:
        out.append(pending)  # the caller sees it as the unterminated tail
    return out


@lru_cache(maxsize=16)
def _released_pattern(seps: Separators) -> re.Pattern[str]:
    specials = [seps.element, seps.component]
    if seps.repetition != " ":
        specials.append(seps.repetition)
    rel = re.escape(seps.release)
    cls = "".join(re.escape(c) for c in specials)
    return re.compile(f"{rel}(.)|([{cls}])|([^{cls}{rel}]+)", re.S)


def _split_released(raw: str, seps: Separators) -> list[list[str]]:
    """Elements (tag first) of a segment that contains the release character."""
    elements: list[list[str]] = []
    comps: list[str] = []
    buf: list[str] = []
    for escaped, sep, text in _released_pattern(seps).findall(raw):
        if sep:
            comps.append("".join(buf))
            buf = []
            if sep == seps.element:
                elements.append(comps)
                comps = []
            elif sep != seps.component:
                comps.append(REPETITION_MARK)
        else:
            buf.append(escaped or text)
    comps.append("".join(buf))
    elements.append(comps)
    return elements


# Released separators are swapped for private-use characters, so that a segment with a release character
# splits like any other (str.split) instead of going through a regex match by match.
_STAND_INS = "\ue000\ue001\ue002"  # for the element, component and repetition separators

_Rules = tuple[re.Pattern[str], dict[str, str], tuple[tuple[str, str], ...]]


@lru_cache(maxsize=16)
def _release_rules(seps: Separators) -> _Rules:
    """The release pattern, each separator's stand-in, and (stand-in, separator) pairs to put them back."""
    real = [seps.element, seps.component] + ([seps.repetition] if seps.repetition != " " else [])
    stand_in = dict(zip(real, _STAND_INS, strict=False))
    back = tuple((v, k) for k, v in stand_in.items())
    return re.compile(f"{re.escape(seps.release)}(.)?", re.S), stand_in, back


def _put_back(text: str, back: tuple[tuple[str, str], ...]) -> str:
    for stand_in, separator in back:
        if stand_in in text:
            text = text.replace(stand_in, separator)
    return text


def _split_released_fast(raw: str, seps: Separators, repetition: str) -> tuple[str, list[list[str]]]:
    """Tag and elements of a segment that contains the release character, as `_split_released` gives."""
    if any(c in raw for c in _STAND_INS):  # the data itself uses them: take the slow, exact way
        slow = _split_released(raw, seps)
        return seps.component.join(slow[0]), slow[1:]
    pattern, stand_in, back = _release_rules(seps)
    # "?x" is x, a released separator its stand-in; a release at the very end releases nothing
    text = pattern.sub(lambda m: stand_in.get(m.group(1), m.group(1) or ""), raw)
    component = seps.component
    parts: list[list[str]] = []
    for element in text.split(seps.element):
        if repetition and repetition in element:
            comps = _split_repeated(element, component, repetition)
        else:
            comps = element.split(component)
        if not element.isascii():  # stand-ins are not ASCII
            comps = [_put_back(c, back) for c in comps]
        parts.append(comps)
    return component.join(parts[0]), parts[1:]


def _split_repeated(element: str, component: str, repetition: str) -> list[str]:
    comps: list[str] = []
    for i, occurrence in enumerate(element.split(repetition)):
        if i:
            comps.append(REPETITION_MARK)
        comps.extend(occurrence.split(component))
    return comps


def _split_plain(raw: str, seps: Separators, repetition: str) -> tuple[str, list[list[str]]]:
    parts = raw.split(seps.element)
    comp = seps.component
    if repetition and repetition in raw:
        return parts[0], [_split_repeated(p, comp, repetition) for p in parts[1:]]
    return parts[0], [p.split(comp) for p in parts[1:]]


def _object_length(raw: str, seps: Separators) -> int | None:
    last = raw.rstrip().rsplit(seps.element, 1)[-1].split(seps.component, 1)[0]
    return int(last) if last.isascii() and last.isdigit() else None


def _extract_objects(pieces: list[str], seps: Separators) -> tuple[list[str], list[str]]:
    """Cut syntax 4 package objects (the data between `UNO...'` and `UNP`) out of the pieces."""
    out: list[str] = []
    objects: list[str] = []
    header = "UNO" + seps.element
    trailer = "UNP" + seps.element
    queue = pieces
    i = 0
    while i < len(queue):
        piece = queue[i]
        out.append(piece)
        i += 1
        if i >= len(queue) or not piece.lstrip(_BETWEEN_SEGMENTS).startswith(header):
            continue
        rest = seps.segment.join(queue[i:])
        length = _object_length(piece, seps)
        # the declared length counts octets; we count characters, the same for the ASCII of base64 objects
        fits = length is not None and rest.startswith(trailer, length)
        cut = length if fits and length is not None else rest.find(trailer)
        if cut < 0:
            continue
        objects.append(rest[:cut])
        queue = rest[cut:].split(seps.segment)
        i = 0
    return out, objects


def _tag_problem(tag: str, raw: str, position: int) -> Problem:
    if raw.startswith("UNA"):
        return Problem(code="SECOND_UNA", message="a UNA may only stand at the very start of the data",
                       segment_position=position, segment_tag="UNA")
    shown = raw[:20] + ("..." if len(raw) > 20 else "")
    return Problem(code="INVALID_TAG", message=f"not a segment: {shown!r} does not start with a segment tag",
                   segment_position=position, segment_tag=tag[:3] or None)


def _tail_problem(tail: str, seps: Separators, position: int) -> Problem:
    tag = tail.split(seps.element, 1)[0].split(seps.component, 1)[0][:3]
    shown = tail[:30] + ("..." if len(tail) > 30 else "")
    release = seps.release
    if release != " " and tail.endswith(release) and _odd_trailing(tail, release):
        return Problem(code="RELEASE_AT_END", segment_position=position, segment_tag=tag or None,
                       message=f"the data ends with a release character ({release!r}) that releases nothing")
    if release != " " and (release + seps.segment) in tail:
        reason = (f"its terminator is released ({release + seps.segment!r}): "
                  f"an unescaped release character swallowed the end of the segment")
    else:
        reason = "no segment terminator (the data is truncated)"
    return Problem(code="TRUNCATED_SEGMENT", segment_position=position, segment_tag=tag or None,
                   message=f"last segment {shown!r} is incomplete: {reason}")


# Pieces are cut from the text in chunks of about this many characters (each ending at a terminator), so
# that streaming holds one chunk's pieces at a time and each batch of segments is built with gc paused.
CHUNK = 1 << 16


def _chunks(text: str, start: int, terminator: str, size: int) -> Iterator[tuple[str, bool]]:
    """`text[start:]` in consecutive parts, each ending just before a terminator, flagged if last."""
    end = len(text)
    pos = start
    while True:
        cut = text.find(terminator, pos + size) if pos + size < end else -1
        if cut < 0:
            yield (text[pos:] if pos else text), True
            return
        # cutting exactly at a terminator keeps the parts' splits together equal to one split of the whole
        yield text[pos:cut], False
        pos = cut + len(terminator)


def _glue_released(pieces: list[str], pending: str | None, terminator: str,
                   release: str) -> tuple[list[str], str | None]:
    """`_join_released` over consecutive parts: a piece whose terminator was released waits in `pending`."""
    out: list[str] = []
    for piece in pieces:
        if pending is not None:
            piece = pending + terminator + piece
            pending = None
        if piece.endswith(release) and _odd_trailing(piece, release):
            pending = piece
        else:
            out.append(piece)
    return out, pending


def _piece_batches(text: str, seps: Separators, start: int, release: str,
                   objects: list[str]) -> Iterator[tuple[list[str], bool]]:
    """Raw segment texts in batches (the last piece of the last batch is the unterminated tail).

    A syntax 4 package object needs the whole text at once (rare); then everything is one batch and the
    objects found are put into `objects`.
    """
    terminator = seps.segment
    if text.find("UNO" + seps.element, start) >= 0:
        body = text[start:] if start else text
        pieces, found = _extract_objects(body.split(terminator), seps)
        objects.extend(found)
        if release and release in body:
            pieces = _join_released(pieces, terminator, release)
        yield pieces, True
        return
    pending: str | None = None
    for chunk, last in _chunks(text, start, terminator, CHUNK):
        pieces = chunk.split(terminator)
        # only a piece ending with the release character can have had its terminator released
        if pending is not None or (release and ((release + terminator) in chunk or chunk.endswith(release))):
            pieces, pending = _glue_released(pieces, pending, terminator, release)
        if last:
            if pending is not None:
                pieces.append(pending)  # the caller sees it as the unterminated tail
            yield pieces, True
            return
        yield pieces, False


def iter_segments(text: str, separators: Separators, problems: list[Problem], *,
                  start: int = 0) -> Iterator[Segment]:
    """Segments of `text[start:]` (no UNA) numbered from 1, tokenized lazily, one chunk at a time.

    Gives the same segments as `tokenize`; each defect is appended to `problems` once the chunk it lies
    in has been read (so before the segment it concerns is yielded), the truncated-tail defect when the
    last chunk is read. The garbage collector is paused while a chunk is split, not between yields.
    """
    for batch in segment_batches(text, separators, problems, start=start):
        yield from batch


def segment_batches(text: str, separators: Separators, problems: list[Problem], *,
                    start: int = 0, limits: Limits = DEFAULT) -> Iterator[list[Segment]]:
    """`iter_segments` a chunk at a time: lists of consecutive segments (cheaper to loop over)."""
    return _batches(text, separators, problems, start, _build, limits)


def lazy_batches(text: str, separators: Separators, problems: list[Problem], *,
                 start: int = 0, limits: Limits = DEFAULT) -> Iterator[LazyBatch]:
    """`segment_batches`, read lazily: only service segments (tags starting with UN, but UNS) and segments
    that need a closer look become Segments (their text kept in `raw`); every other segment stays
    its text, for `materialize` to split later (in another process, say). Tags are checked all the
    same. A segment that breaks a per-segment limit raises `LimitExceeded` (checked here only
    for the segments split here: `materialize` checks the others)."""
    return _batches(text, separators, problems, start, _build_lazy, limits)


def _batches(text: str, seps: Separators, problems: list[Problem], start: int,
             build: Callable[..., tuple[Any, int]], limits: Limits) -> Iterator[Any]:
    release = seps.release if seps.release != " " else ""
    repetition = seps.repetition if seps.repetition != " " else ""
    objects: list[str] = []
    position = 0
    empty = 0
    good_tags: set[str] = set()
    for pieces, last in _piece_batches(text, seps, start, release, objects):
        tail = pieces.pop().lstrip(_BETWEEN_SEGMENTS) if last else ""
        before = position
        with paused_gc():
            batch, position = build(pieces, seps, release, repetition, objects, good_tags,
                                    position, problems, limits)
            if tail:
                problems.append(_tail_problem(tail, seps, position + 1))
        empty += len(pieces) - (position - before)  # the pieces that made no segment
        if empty > limits.empty_segments:
            raise exceeded("TOO_MANY_EMPTY_SEGMENTS", f"more than {limits.empty_segments} empty "
                           "segments (two terminators in a row) in the interchange",
                           "HUB_MAX_EMPTY_SEGMENTS", position=position)
        yield batch


def _after_whitespace(raw: str, position: int, found: list[Problem]) -> str:
    """The segment text without the line breaks before it; an empty one is reported."""
    raw = raw.lstrip(_BETWEEN_SEGMENTS)
    if not raw:
        found.append(Problem(code="EMPTY_SEGMENT", segment_position=position + 1,
                             message="an empty segment (two terminators in a row)",
                             severity="warning"))
    return raw


class LazyBatch(list[Segment | str]):
    """A chunk of a lazy read: Segments, and each plain segment as its text (a str), in order.

    Positions are consecutive: the entry at index k is the segment at position `first + k`;
    `specials` lists, in order, the indices of the entries that are Segments.
    """

    __slots__ = ("first", "specials")
    first: int
    specials: list[int]


def _build_lazy(pieces: list[str], seps: Separators, release: str, repetition: str,
                objects: list[str], good_tags: set[str], position: int, found: list[Problem],
                limits: Limits) -> tuple[LazyBatch, int]:
    """`_build`, but a plain segment (a known tag that is not UN..., then the element separator)
    stays its text, a str, for `materialize` to split later; anything else goes through `_build`
    and keeps its text in `raw`. Returns the entries and the last position."""
    items = LazyBatch()
    items.first = position + 1
    items.specials = specials = []
    append = items.append
    element_sep = seps.element
    between = _BETWEEN_SEGMENTS
    heads = {tag + element_sep for tag in good_tags if _plain(tag)}
    for raw in pieces:
        if raw[:4] in heads:
            append(raw)  # by far the most common case: one slice and one lookup
            continue
        position = items.first - 1 + len(items)
        if raw[:1] in between:
            raw = _after_whitespace(raw, position, found)
            if not raw:
                continue
            if raw[:4] in heads:
                append(raw)
                continue
        carries_object = raw[:4] == "UNO" + element_sep and bool(objects)
        built, _ = _build([raw], seps, release, repetition, objects, good_tags, position, found,
                          limits)
        for segment in built:
            # a package object became the UNO's last element: its text carries it too (released),
            # so that splitting the text later gives the same segment
            segment.raw = raw + element_sep + _released(segment.elements[-1][0], seps, release) \
                if carries_object and release else raw
            specials.append(len(items))
            append(segment)
        tag = raw[:3]
        if tag in good_tags and _plain(tag):
            heads.add(tag + element_sep)
    return items, items.first - 1 + len(items)


def _plain(tag: str) -> bool:
    """Whether a lazy read may keep a segment of this (valid) tag as its text: any but the service
    segments the envelope reader looks at (UNS, the section control inside a message, it does
    not: one in every ORDERS and INVOIC)."""
    return not tag.startswith("UN") or tag == "UNS"


def _released(text: str, seps: Separators, release: str) -> str:
    """text with every separator character (and the release character) preceded by the release one."""
    special = {seps.element, seps.component, seps.segment, release, seps.repetition} - {"", " "}
    return "".join(release + c if c in special else c for c in text)


def lazy_segment(batch: list[Segment] | LazyBatch, index: int) -> Segment:
    """The entry at `index` as a Segment: a plain segment of a lazy read gets its tag, position
    and text (its elements stay unsplit, empty)."""
    item = batch[index]
    if isinstance(item, str):
        return text_segment(item, cast(LazyBatch, batch).first + index)
    return item


def text_segment(text: str, position: int) -> Segment:
    """A plain segment a lazy read kept as its text, as a Segment: its tag, position and text
    (elements unsplit, empty), for the envelope checks that name a segment."""
    return Segment(text[:3], [], position, text)


def materialize(pieces: list[str], separators: Separators, first_position: int,
                limits: Limits = DEFAULT) -> list[Segment]:
    """The segments of consecutive segment texts (`Segment.raw` of a lazy read), numbered from
    `first_position`: the same Segments a full read gives. The lazy read already stripped the line
    breaks between them and reported bad tags, so only the splitting is left to do (and the
    per-segment limits to check: `LimitExceeded`)."""
    seps = separators
    release = seps.release if seps.release != " " else ""
    repetition = seps.repetition if seps.repetition != " " else ""
    segments: list[Segment] = []
    append = segments.append
    position = first_position
    short = limits.short_segment
    element, component = seps.element, seps.component
    with paused_gc():
        for raw in pieces:
            if len(raw) > short:
                check_segment(raw, seps, limits, position)
            if (release and release in raw) or (repetition and repetition in raw):
                tag, elements = _split_segment(raw, seps, release, repetition)
            else:  # `_split_segment`'s plain case, inline: by far the most common one
                texts = raw.split(element)
                tag, elements = texts[0], [text.split(component) for text in texts[1:]]
            append(Segment(tag, elements, position))
            position += 1
    return segments


def _split_segment(raw: str, seps: Separators, release: str, repetition: str
                   ) -> tuple[str, list[list[str]]]:
    """The tag and elements of one segment's text."""
    if release and release in raw:
        return _split_released_fast(raw, seps, repetition)
    if repetition and repetition in raw:
        return _split_plain(raw, seps, repetition)
    # joining the tag's components back gives the tag text itself: no need to split it
    texts = raw.split(seps.element)
    component = seps.component
    return texts[0], [p.split(component) for p in texts[1:]]


def _build(pieces: list[str], seps: Separators, release: str, repetition: str, objects: list[str],
           good_tags: set[str], position: int, found: list[Problem], limits: Limits = DEFAULT
           ) -> tuple[list[Segment], int]:
    """Segments of complete raw pieces, numbered after `position`; returns them and the last position."""
    segments: list[Segment] = []
    append = segments.append
    between = _BETWEEN_SEGMENTS
    short = limits.short_segment
    for raw in pieces:
        if raw[:1] in between:
            raw = _after_whitespace(raw, position, found)
            if not raw:
                continue
        position += 1
        if len(raw) > short:
            check_segment(raw, seps, limits, position)
        tag, elements = _split_segment(raw, seps, release, repetition)
        if tag not in good_tags:
            if _TAG.match(tag):
                good_tags.add(tag)
            else:
                found.append(_tag_problem(tag, raw, position))
        if tag == "UNO" and objects:
            elements.append([objects.pop(0)])
        append(Segment(tag, elements, position))
    return segments, position


def tokenize(text: str, separators: Separators, *, start: int = 0,
             problems: list[Problem] | None = None) -> list[Segment]:
    """Split `text[start:]` (no UNA) into segments numbered from 1.

    Defects (a truncated last segment, a release character at the end, junk where a segment tag should
    be, a second UNA, an empty segment) are appended to `problems`; with `problems=None` they raise
    `ValidationError`. Segments with a bad tag are kept so that positions and counts stay right.
    """
    found: list[Problem] = []
    with paused_gc():
        segments = list(iter_segments(text, separators, found, start=start))
    if problems is None and found:
        raise ValidationError(str(found[0]), problems=found)
    if problems is not None:
        problems.extend(found)
    return segments


_NUMBER = re.compile(r"-?\d+(?:[.,]\d*)?\Z")


def to_decimal(value: str, separators: Separators, *, segment: Segment | None = None,
               element: str | None = None, message_ref: str | None = None) -> Decimal:
    """An EDIFACT numeric value as Decimal; both "." and the UNA decimal mark are accepted.

    Raises `ValidationError` (code NOT_NUMERIC) naming the value, and the segment/element when given.
    """
    text = value.strip()
    marks = {".", separators.decimal}
    if _NUMBER.match(text) and ("," not in text or "," in marks):
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:  # the pattern admits only valid numbers; kept for safety
            pass
    problem = Problem(code="NOT_NUMERIC", message=f"{value!r} is not a number",
                      message_ref=message_ref, element=element,
                      segment_position=segment.position if segment else None,
                      segment_tag=segment.tag if segment else None)
    raise ValidationError(str(problem), problems=[problem])
