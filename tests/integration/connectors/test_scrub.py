"""`scrub`: credential-looking values masked in error text even when the secret itself is not known."""

from __future__ import annotations

import base64

import pytest

from connectors.security import scrub

BASIC = base64.b64encode(b"hub:pw-1234").decode()


@pytest.mark.parametrize("text, masked", [
    ("got Authorization: Bearer abc.def.ghi-123 back", "got Authorization: *** back"),
    ("{'Authorization': 'Basic " + BASIC + "'}", "{'Authorization': '***'}"),
    ("echo: bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "echo: bearer ***"),
    (f"header was Basic {BASIC}", "header was Basic ***"),
    ("moved to https://svc:pa55@erp.example/x", "moved to https://***@erp.example/x"),
    ("GET /x?api_key=K9&page=2&sig=abc", "GET /x?api_key=***&page=2&sig=***"),
    ('{"password": "hunter22", "user": "hub"}', '{"password": "***", "user": "hub"}'),
    ("client_secret=s3cr3t; retry", "client_secret=***; retry"),
])
def test_credential_shapes_are_masked(text: str, masked: str) -> None:
    assert scrub(text) == masked


@pytest.mark.parametrize("text", [
    "basic validation failed for line 3",
    "the token provided is invalid; Idempotency-Key: 0c1d-77",
    "password expired for user hub",
    "https://erp.example/api?page=2 answered HTTP 500",
])
def test_ordinary_error_text_is_left_alone(text: str) -> None:
    assert scrub(text) == text


def test_known_secrets_are_masked_in_every_form_they_travel_in() -> None:
    secret = "p@ss/w0rd+x"
    text = f"raw {secret}, quoted p%40ss%2Fw0rd%2Bx, form p%40ss%2Fw0rd%2Bx, basic " + \
        base64.b64encode(f"hub:{secret}".encode()).decode()
    cleaned = scrub(text, [secret], username="hub")
    assert "w0rd" not in cleaned and cleaned.count("***") == 4
