"""The demo partner of `make run`: one key kept in `instance/demo.key` (mode 0600, the database holds
only its hash) and reused while it is active, printed after the development server's banner."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.partners import credentials
from hub.partners import service as partners
from hub.partners.models import Partner

DEMO_PARTNER = "demo"
DEMO_EDI_ID = "5412345000013"  # the GLN the demo fixtures (fixtures/*/demo_*) are sent from
KEY_FILE = "demo.key"
BANNER_END = "Press CTRL+C to quit"  # werkzeug's last startup line


def key_path(app: Flask) -> Path:
    return Path(app.instance_path) / KEY_FILE


def prepare(session: Session, path: Path, *, actor: str) -> tuple[str, bool]:
    """The demo partner (created once) and its key: the kept one while it is active, else a new one
    (earlier demo keys revoked) written to `path` with mode 0600. (key, whether it was issued now)"""
    partner = session.scalars(select(Partner).where(Partner.name == DEMO_PARTNER)).first()
    if partner is None:
        partner = partners.add_partner(session, DEMO_PARTNER, edi_id=DEMO_EDI_ID, qualifier="14",
                                       roles=["buyer", "supplier"], actor=actor)
    kept = path.read_text().strip() if path.is_file() else None
    secret, issued = credentials.reuse_or_issue(session, partner, kept, actor=actor, label="demo")
    if issued:
        write_private(path, secret)
    return secret, issued


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (created so, and narrowed if it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (text + "\n").encode())
    finally:
        os.close(fd)


def announcement(url: str, secret: str) -> str:
    """What `make run` shows last: where the hub is, how to post a file, and the key."""
    return (f"Hub URL: {url}\nDemo partner: {DEMO_PARTNER} (EDI id {DEMO_EDI_ID}:14)\n"
            f"Try: curl -H 'Authorization: Bearer {secret}' --data-binary "
            f"@fixtures/edifact/demo_orders_d96a_basic.edi {url}/api/v1/exchanges\n"
            f"Demo API key (kept in instance/{KEY_FILE}):\n{secret}")


class _AfterBanner(logging.Handler):
    """Prints the announcement once, right after the development server's last startup line."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.INFO)
        self.text = text

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "werkzeug" and BANNER_END in record.getMessage():
            logging.getLogger().removeHandler(self)
            print(self.text, file=sys.stderr, flush=True)


def announce_after_banner(app: Flask, url: str) -> bool:
    """With HUB_DEMO=1: print the demo key after Flask's banner (the root logger's last handler
    runs after the one that wrote the banner line); whether there is a key to print."""
    path = key_path(app)
    if not path.is_file():
        return False
    logging.getLogger("werkzeug").setLevel(logging.INFO)
    logging.getLogger().addHandler(_AfterBanner(announcement(url, path.read_text().strip())))
    return True
