"""What anchors the audit chain outside the database: the key its hashes are made with, and
checkpoints of its head appended to a file (and optionally sent to syslog).

Whoever holds the database can delete rows or recompute plain hashes, but cannot make a keyed hash
without the key, nor reach a checkpoint file the database cannot write. `verify_trail` checks the
chain with the key, then against every checkpoint recorded so far.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.audit.models import AuditEvent
from hub.config import Settings
from hub.db import utcnow
from hub.domain.audit import (
    Checkpoint,
    CheckpointInvalid,
    checkpoint_line,
    checkpoint_mismatch,
    parse_checkpoint,
)
from hub.domain.errors import HubError

log = logging.getLogger(__name__)
MIN_KEY_LENGTH = 32


class AuditKeyError(HubError):
    """The audit key is missing where it is required, unreadable or too short."""

    code = "AUDIT_KEY_ERROR"


@dataclass
class AuditAnchor:
    """The audit key and where checkpoints go; one per app (`anchor_of(app)`)."""

    key: bytes = field(repr=False)
    checkpoint_path: Path
    checkpoint_seconds: float = 60.0
    backdate_grace: timedelta = audit.DEFAULT_BACKDATE_GRACE
    syslog: str = ""  # "" (off), a Unix socket path such as /dev/log, or udp://host:port
    last_written: Checkpoint | None = None
    last_written_at: float | None = None  # time.monotonic() of the last one written here


def anchor_of(app: Flask) -> AuditAnchor:
    """The app's audit anchor, set up by `create_app`."""
    anchor: AuditAnchor = app.extensions["hub.audit_anchor"]
    return anchor


def build_anchor(settings: Settings, instance_path: Path) -> AuditAnchor:
    """The anchor from the settings; AuditKeyError when the key is required and missing."""
    checkpoint_path = (Path(settings.audit_checkpoint_file) if settings.audit_checkpoint_file
                       else _beside_database(settings, instance_path, "audit-checkpoints"))
    return AuditAnchor(key=load_audit_key(settings, instance_path),
                       checkpoint_path=checkpoint_path,
                       checkpoint_seconds=settings.audit_checkpoint_seconds,
                       backdate_grace=timedelta(seconds=settings.audit_backdate_grace_seconds),
                       syslog=settings.audit_syslog)


def key_required(settings: Settings) -> bool:
    """The key must be given (not generated) on any database but SQLite, and in production."""
    backend = make_url(settings.database_url).get_backend_name()
    return backend != "sqlite" or settings.env == "production"


def load_audit_key(settings: Settings, instance_path: Path) -> bytes:
    """HUB_AUDIT_KEY, else HUB_AUDIT_KEY_FILE, else (demo only) a key generated beside the DB."""
    if settings.audit_key and settings.audit_key_file:
        raise AuditKeyError("set HUB_AUDIT_KEY or HUB_AUDIT_KEY_FILE, not both")
    if settings.audit_key:
        key = settings.audit_key.encode()
    elif settings.audit_key_file:
        key = _read_key_file(Path(settings.audit_key_file))
    elif key_required(settings):
        raise AuditKeyError(
            "HUB_AUDIT_KEY or HUB_AUDIT_KEY_FILE is required with PostgreSQL or HUB_ENV=production:"
            " the audit chain is keyed with a secret kept outside the database")
    else:
        key = _demo_key(_beside_database(settings, instance_path, "audit-key"))
    if len(key) < MIN_KEY_LENGTH:
        raise AuditKeyError(f"the audit key must be at least {MIN_KEY_LENGTH} characters")
    return key


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise AuditKeyError(f"HUB_AUDIT_KEY_FILE {path} cannot be read: {exc.strerror}") from None


def _demo_key(path: Path) -> bytes:
    """Read the demo key, or create it (mode 0600) atomically: two workers agree on one key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)  # fails if another process made it first: theirs is kept
            log.warning("generated an audit key at %s for this demo database: set HUB_AUDIT_KEY "
                        "or HUB_AUDIT_KEY_FILE (and keep a copy) for real use", path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return _read_key_file(path)


def _beside_database(settings: Settings, instance_path: Path, suffix: str) -> Path:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.{suffix}")
    return instance_path / f"{suffix}-{url.database or 'hub'}"


def seal_and_checkpoint(new_session: Callable[[], Session], anchor: AuditAnchor) -> int:
    """The sealing job: seal what is pending, then write a checkpoint when one is due."""
    with new_session() as session:
        try:
            sealed = audit.seal_all(session, anchor.key, backdate_grace=anchor.backdate_grace,
                                    allow_upgrade=not _has_checkpoints(anchor.checkpoint_path))
        except audit.AuditKeyMismatch as exc:
            session.rollback()
            _complain_once(exc.message)
            return 0
        since = None if anchor.last_written_at is None else time.monotonic() - anchor.last_written_at
        if since is None or since >= anchor.checkpoint_seconds:
            write_checkpoint(anchor, current_checkpoint(session))
    return sealed


_complaints: set[str] = set()


def _complain_once(message: str) -> None:
    if message not in _complaints:
        _complaints.add(message)
        log.error("%s", message)


def current_checkpoint(session: Session) -> Checkpoint:
    """The chain's head as it is now: sealed count, last position and its hash."""
    count = session.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.seq.is_not(None))) or 0
    head = session.execute(select(AuditEvent.seq, AuditEvent.hash)
                           .where(AuditEvent.seq.is_not(None))
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return Checkpoint(count=count, last_seq=(head[0] or 0) if head else 0,
                      head_hash=(head[1] or "") if head else "", at=utcnow())


def write_checkpoint(anchor: AuditAnchor, checkpoint: Checkpoint) -> bool:
    """Append the checkpoint (and send it to syslog) unless the chain is empty or unchanged."""
    anchor.last_written_at = time.monotonic()
    last = anchor.last_written = anchor.last_written or _latest_checkpoint(anchor)
    if checkpoint.count == 0 or (last is not None and (last.count, last.head_hash)
                                 == (checkpoint.count, checkpoint.head_hash)):
        return False
    line = checkpoint_line(checkpoint, anchor.key)
    anchor.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(anchor.checkpoint_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    anchor.last_written = checkpoint
    if anchor.syslog:
        _send_to_syslog(anchor.syslog, line)
    return True


def _send_to_syslog(address: str, line: str) -> None:
    target: str | tuple[str, int] = address
    if address.startswith("udp://"):
        host, _, port = address.removeprefix("udp://").rpartition(":")
        target = (host, int(port))
    handler = logging.handlers.SysLogHandler(address=target)
    handler.ident = "ponte-audit: "
    try:
        handler.emit(logging.LogRecord("hub.audit", logging.INFO, __file__, 0, "checkpoint %s",
                                       (line,), None))
    finally:
        handler.close()


def _has_checkpoints(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _latest_checkpoint(anchor: AuditAnchor) -> Checkpoint | None:
    """The last verifying checkpoint among the file's last lines (the file only grows)."""
    try:
        with anchor.checkpoint_path.open("rb") as data:
            data.seek(max(0, data.seek(0, os.SEEK_END) - 64 * 1024))
            tail = data.read().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(tail):
        try:
            return parse_checkpoint(line, anchor.key)
        except CheckpointInvalid:
            continue
    return None


def read_checkpoints(anchor: AuditAnchor) -> tuple[list[Checkpoint], list[int]]:
    """The checkpoints that verify with the key, and the line numbers of those that do not."""
    good: list[Checkpoint] = []
    bad: list[int] = []
    try:
        with anchor.checkpoint_path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    good.append(parse_checkpoint(line, anchor.key))
                except CheckpointInvalid:
                    bad.append(number)
    except FileNotFoundError:
        pass
    return good, bad


@dataclass
class TrailVerdict:
    """What `flask hub audit-verify` prints: findings (each one line) or the counts checked."""

    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    checkpoints: int = 0


def verify_trail(new_session: Callable[[], Session], anchor: AuditAnchor) -> TrailVerdict:
    """Seal what is pending, check the chain with the key, then against every checkpoint."""
    verdict = TrailVerdict()
    checkpoints, bad_lines = read_checkpoints(anchor)
    where = anchor.checkpoint_path
    if bad_lines and not checkpoints:
        verdict.findings.append(
            f"wrong audit key: none of the {len(bad_lines)} checkpoints in {where} verifies with "
            "this key (it is not the key that sealed this trail, or the file was replaced)")
        return verdict
    verdict.findings += [f"checkpoint line {n} of {where} does not verify with the audit key "
                         "(the file was edited)" for n in bad_lines]
    with new_session() as session:
        try:
            audit.seal_all(session, anchor.key, backdate_grace=anchor.backdate_grace,
                           allow_upgrade=not checkpoints and not bad_lines)
        except audit.AuditKeyMismatch as exc:
            session.rollback()
            verdict.findings.append(exc.message)
        report = audit.verify(session, anchor.key)
        if report.broken is not None:
            verdict.findings.append(f"audit trail BROKEN at event {report.broken.event_id}: "
                                    f"{report.broken.reason}")
        verdict.findings += _against_checkpoints(session, checkpoints)
        verdict.findings += [f"forged insert: event {event_id} is not sealed because {reason}"
                             for event_id, reason in audit.misfits(session, anchor.backdate_grace)]
        verdict.checked, verdict.checkpoints = report.checked, len(checkpoints)
        if not verdict.findings:
            if not checkpoints and report.checked:
                verdict.notes.append(f"no checkpoint yet in {where}: the chain was checked on "
                                     "its own; one is written now")
            write_checkpoint(anchor, current_checkpoint(session))
    return verdict


def _against_checkpoints(session: Session, checkpoints: list[Checkpoint]) -> list[str]:
    """The latest checkpoint the chain contradicts, as one finding (earlier ones follow from it)."""
    if not checkpoints:
        return []
    now = current_checkpoint(session)
    hashes = audit.hashes_at(session, {c.last_seq for c in checkpoints})
    for checkpoint in reversed(checkpoints):
        problem = checkpoint_mismatch(checkpoint, now.count, now.last_seq,
                                      hashes.get(checkpoint.last_seq))
        if problem:
            return [problem]
    return []
