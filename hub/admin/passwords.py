"""Password and recovery-code hashing with scrypt (stdlib): salted, slow, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# n=2**14, r=8: about 16 MB and tens of milliseconds per hash, the interactive-login setting
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, all of it needed to check the password later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def check_password(stored: str | None, password: str) -> bool:
    """True when `password` matches the stored hash; False for no hash or another format."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(_unb64(digest)))
    except ValueError:
        return False
    return hmac.compare_digest(got, _unb64(digest))


def password_problem(password: str, confirmation: str) -> str | None:
    """Why a new password is refused, or None."""
    if password != confirmation:
        return "the two passwords differ"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


def new_recovery_codes(count: int = 10) -> list[str]:
    """Codes like `7f3a-91c2-0be4`, easy to copy, each good for one sign-in."""
    return ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(count)]


def hash_token(token: str) -> str:
    """SHA-256 of a long random token (enrolment links): enough, since the token itself is random."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)
