"""The retention rules: ages, the legal minimum no policy undercuts, and why an item is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.retention.domain import (
    Candidate,
    RetentionPolicy,
    RetentionSettingError,
    parse_age,
    verdict,
    years_before,
)

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
FIVE_YEARS_AGO = years_before(NOW, 5)


def test_ages_in_days_weeks_and_years() -> None:
    assert parse_age("90d") == timedelta(days=90)
    assert parse_age("12w") == timedelta(days=84)
    assert parse_age("2y") == timedelta(days=730)


@pytest.mark.parametrize("text", ["", "90", "0d", "-5d", "3 months", "d90"])
def test_an_unreadable_age_says_how_to_write_one(text: str) -> None:
    with pytest.raises(RetentionSettingError, match=r"e\.g\. 90d"):
        parse_age(text)


def test_no_policy_can_undercut_the_legal_minimum_for_invoices() -> None:
    with pytest.raises(RetentionSettingError, match="HUB_RETENTION_INVOICE_MIN_YEARS=3 is below"):
        RetentionPolicy.from_env({"HUB_RETENTION_INVOICE_MIN_YEARS": "3"})
    assert RetentionPolicy.from_env({"HUB_RETENTION_INVOICE_MIN_YEARS": "10"}).invoice_min_years == 10
    assert RetentionPolicy.from_env({}).invoice_min_years == 5


def test_policy_from_the_environment_names_a_bad_value() -> None:
    policy = RetentionPolicy.from_env({"HUB_RETENTION_RAW_DAYS": "90", "HUB_RETENTION_DOCUMENTS_DAYS": "365"})
    assert policy.ages() == {"raw": timedelta(days=90), "documents": timedelta(days=365)}
    with pytest.raises(RetentionSettingError, match="HUB_RETENTION_RAW_DAYS='ninety'"):
        RetentionPolicy.from_env({"HUB_RETENTION_RAW_DAYS": "ninety"})


def test_leap_day_minus_years_is_the_28th() -> None:
    assert years_before(datetime(2028, 2, 29, tzinfo=UTC), 5) == datetime(2023, 2, 28, tzinfo=UTC)


def _item(**kw: object) -> Candidate:
    base: dict[str, object] = {"id": "x", "at": NOW - timedelta(days=400), "final": True, "busy": False,
                               "unpaid": False, "invoice": False}
    return Candidate(**{**base, **kw})  # type: ignore[arg-type]


def test_verdicts() -> None:
    assert verdict(_item(), FIVE_YEARS_AGO) == "purge"
    assert verdict(_item(final=False), FIVE_YEARS_AGO) == "not_final"
    assert verdict(_item(busy=True), FIVE_YEARS_AGO) == "pending"
    ancient = NOW - timedelta(days=4000)
    assert verdict(_item(unpaid=True, invoice=True, at=ancient), FIVE_YEARS_AGO) == "unpaid"
    assert verdict(_item(invoice=True), FIVE_YEARS_AGO) == "legal_minimum"
    assert verdict(_item(invoice=True, at=FIVE_YEARS_AGO - timedelta(days=1)), FIVE_YEARS_AGO) == "purge"
