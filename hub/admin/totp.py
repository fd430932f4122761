"""TOTP second factor (RFC 6238, 30 s steps): one step of drift either way, never a step twice."""

from __future__ import annotations

import hmac
import time

import pyotp

DRIFT_STEPS = 1
ISSUER = "Ponte EDI hub"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def accepted_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The time step `code` belongs to (within the drift), if it is later than `last_step`; else None.

    Storing the returned step as the user's last one makes a code, once used, useless, and so is
    every code of an earlier step (an eavesdropper cannot use a code the user typed a minute ago).
    """
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(
                totp.generate_otp(step), code):
            return step
    return None


def code_at(secret: str, when: float) -> str:
    """The code an authenticator shows at `when` (tests and the enrolment check use it)."""
    return pyotp.TOTP(secret).at(int(when))

