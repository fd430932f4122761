"""The second factor: one step of drift either way, no step twice, no step older than the last."""

from __future__ import annotations

import pyotp

from hub.admin import passwords, totp

NOW = 1_800_000_000.0
SECRET = pyotp.random_base32()


def _code(steps_away: int) -> str:
    return totp.code_at(SECRET, NOW + 30 * steps_away)


def test_one_step_of_drift_either_way_is_accepted_two_are_not() -> None:
    current = int(NOW // 30)
    assert totp.accepted_step(SECRET, _code(0), None, NOW) == current
    assert totp.accepted_step(SECRET, _code(-1), None, NOW) == current - 1
    assert totp.accepted_step(SECRET, _code(1), None, NOW) == current + 1
    assert totp.accepted_step(SECRET, _code(2), None, NOW) is None
    assert totp.accepted_step(SECRET, _code(-2), None, NOW) is None


def test_a_used_step_and_every_earlier_one_are_refused() -> None:
    used = totp.accepted_step(SECRET, _code(0), None, NOW)
    assert totp.accepted_step(SECRET, _code(0), used, NOW) is None
    assert totp.accepted_step(SECRET, _code(-1), used, NOW) is None
    assert totp.accepted_step(SECRET, _code(1), used, NOW) == used + 1  # type: ignore[operator]


def test_malformed_codes_are_refused() -> None:
    for code in ("", "12345", "1234567", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16"):
        assert totp.accepted_step(SECRET, code, None, NOW) is None


def test_passwords_are_salted_scrypt_and_checked_in_constant_time() -> None:
    first, second = passwords.hash_password("a long passphrase"), passwords.hash_password("a long passphrase")
    assert first != second and first.startswith("scrypt$")
    assert passwords.check_password(first, "a long passphrase")
    assert not passwords.check_password(first, "a long passphrasE")
    assert not passwords.check_password("garbage", "x") and not passwords.check_password(None, "x")
