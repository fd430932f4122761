"""File connector: a drop folder for ERPs that exchange files.

`endpoint` is the outbound folder. Each document is written atomically (temp file, fsync, rename)
under its document id, so a re-send overwrites the same file and never makes a second one.
Inbound records are read from `<inbox>/<kind>/*.json` and moved to `<archive>/<kind>/` once read;
a file that is not valid JSON is moved to `<archive>/rejected/` with a `.error.txt` beside it.

Options: `inbox` (default `<endpoint>/inbox`), `archive` (default `<endpoint>/archive`),
`write_rendered` (write the rendered bytes instead of canonical JSON when present; default true).
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import re
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.base import ConnectorSettings, Delivery, HealthStatus, SendResult, json_ready
from hub.domain.errors import ConnectorError

log = logging.getLogger(__name__)

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
EXTENSIONS = {
    "application/edifact": ".edi",
    "application/EDIFACT": ".edi",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/json": ".json",
}


class FileConnector:
    """Writes documents into a folder and reads records an ERP drops into an inbox folder."""

    key = "file"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings
        self.outbox = Path(settings.endpoint)
        self.inbox = Path(settings.options.get("inbox") or self.outbox / "inbox")
        self.archive = Path(settings.options.get("archive") or self.outbox / "archive")

    def send(self, delivery: Delivery) -> SendResult:
        """Write the document as `<document id><ext>`, atomically; a re-send replaces the same file."""
        name = _safe(delivery.document_id, "document id")
        if delivery.rendered is not None and self.settings.options.get("write_rendered", True):
            data, ext = delivery.rendered, _extension(delivery.content_type)
        else:
            data = json.dumps(delivery.document, ensure_ascii=False, indent=2).encode("utf-8")
            ext = ".json"
        target = self.outbox / f"{name}{ext}"
        duplicate = target.exists()
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
        except OSError as exc:
            # A full disk or a vanished share may recover; a permission error usually will not, but
            # the caller's attempt limit ends it in `dead` either way.
            raise ConnectorError(f"cannot write {target}: {exc}", retryable=True) from exc
        return SendResult(remote_reference=target.name, duplicate=duplicate, detail=str(target))

    def fetch(self, kind: str, since: str | None) -> list[dict[str, Any]]:
        """Records from `<inbox>/<kind>/*.json` in name order, each archived once read (`since` unused)."""
        folder = self.inbox / _safe(kind, "kind")
        if not folder.is_dir():
            return []
        records: list[dict[str, Any]] = []
        try:
            for path in sorted(folder.glob("*.json")):
                try:
                    records.extend(_read_records(path))
                except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                    # a file nobody can read goes aside, so it cannot block the inbox forever
                    self._reject(path, kind, exc)
                    continue
                _move(path, self.archive / kind)
        except OSError as exc:
            raise ConnectorError(f"cannot read the inbox {folder}: {exc}", retryable=True) from exc
        return records

    def health(self) -> HealthStatus:
        """Healthy when the outbound folder exists (or can be made) and is writable."""
        started = time.monotonic()
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return HealthStatus(False, f"cannot create {self.outbox}: {exc}", _ms(started))
        if not os.access(self.outbox, os.W_OK | os.X_OK):
            return HealthStatus(False, f"{self.outbox} is not writable", _ms(started))
        return HealthStatus(True, f"{self.outbox} writable", _ms(started))

    def close(self) -> None:
        """Nothing to release."""

    def _reject(self, path: Path, kind: str, exc: Exception) -> None:
        log.warning("rejected inbound file %s (%s): %s", path, kind, exc)
        moved = _move(path, self.archive / "rejected")
        write_atomically(moved.with_name(moved.name + ".error.txt"), f"{kind}: {exc}\n".encode())


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` so readers see the old file or the whole new one, never a part."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); some filesystems refuse, which is not worth failing on."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        log.debug("fsync of folder %s not supported", folder)
    finally:
        os.close(fd)


def _read_records(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_bytes().decode("utf-8"), parse_float=Decimal)
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) for i in items):
        raise ValueError("expected a JSON object or a list of objects")
    return [json_ready(i) for i in items]


def _move(path: Path, folder: Path) -> Path:
    """Move `path` into `folder`, keeping an earlier file of the same name by suffixing a timestamp."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{time.time_ns()}{path.suffix}"
    os.replace(path, target)
    return target


def _safe(value: str, what: str) -> str:
    if not SAFE_NAME.match(value) or ".." in value:
        raise ConnectorError(f"{what} {value!r} cannot be used as a file name", retryable=False)
    return value


def _extension(content_type: str | None) -> str:
    base = (content_type or "").split(";", 1)[0].strip()
    return EXTENSIONS.get(base) or mimetypes.guess_extension(base) or ".bin"


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
