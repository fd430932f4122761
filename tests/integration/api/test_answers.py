"""A rejection carries what it sends back as data; one service queues it after the rollback, in the
failure's own transaction, to the partner and exchange it names."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.audit.service import EventSpec
from hub.db import new_session
from hub.domain.answers import Answer, AnswerKind
from hub.domain.errors import Problem, ValidationError
from hub.exchanges import answers, translators
from hub.exchanges.processing import process_pending
from hub.models import Exchange, Partner
from tests.support.exchanges import post

PROBLEM = Problem(code="BAD_THING", message="the thing is bad", segment_tag="BGM")


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A translator that writes, then refuses with an MLR due; the MLR's queuer records its call."""
    calls: list[dict[str, Any]] = []

    def translate(session: Any, exchange: Exchange, partner: Partner) -> Any:
        partner.profile = {**(partner.profile or {}), "half": "written"}
        session.flush()
        raise ValidationError("refused", problems=[PROBLEM],
                              answers=[Answer(AnswerKind.mlr, (PROBLEM,))])

    def queue_mlr(session: Any, exchange: Exchange, partner: Partner, answer: Answer
                  ) -> list[EventSpec]:
        calls.append({"exchange": exchange.id, "partner": partner.name, "answer": answer,
                      "half_written": "half" in (partner.profile or {}),
                      "state": exchange.state})
        return [EventSpec("test", "exchange.created", "exchange", "answer-1", partner.id, {})]

    monkeypatch.setitem(translators.TRANSLATORS, "test", translate)
    monkeypatch.setitem(answers.QUEUERS, AnswerKind.mlr, queue_mlr)
    return calls


def test_the_answer_is_queued_after_the_rollback_for_the_refused_exchange(
        app: Flask, client: FlaskClient, make_partner: Any, refusing: list[dict[str, Any]]) -> None:
    acme = make_partner("acme")
    exchange_id = post(client, acme, b"UNB+anything'")
    with app.app_context(), new_session() as session:
        session.get(Exchange, exchange_id).syntax = "test"  # type: ignore[union-attr]
        session.commit()
    process_pending(lambda: new_session(app))
    [call] = refusing
    # what the translator wrote is gone when the answer is rendered; it goes to the file's sender
    assert call["exchange"] == exchange_id and call["partner"] == "acme"
    assert not call["half_written"] and call["state"] == "processing"
    assert call["answer"].kind is AnswerKind.mlr and call["answer"].problems == (PROBLEM,)
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        assert exchange is not None and exchange.state == "failed"
        assert exchange.error["acknowledgements"] == ["answer-1"]
        assert session.scalars(select(Partner.profile).where(Partner.id == acme.id)).one().get(
            "half") is None


def test_an_answer_may_name_another_recipient_and_exchange(app: Flask, client: FlaskClient,
                                                           make_partner: Any) -> None:
    acme, bolt = make_partner("acme"), make_partner("bolt")
    mine = post(client, acme, b"UNB+one'")
    theirs = post(client, bolt, b"UNB+two'")
    seen: list[tuple[str, str]] = []

    def record(session: Any, exchange: Exchange, partner: Partner, answer: Answer) -> list[EventSpec]:
        seen.append((exchange.id, partner.name))
        return []

    with app.app_context(), new_session() as session, pytest.MonkeyPatch.context() as patch:
        patch.setitem(answers.QUEUERS, AnswerKind.contrl, record)
        refused = session.get(Exchange, mine)
        assert refused is not None
        assert answers.queue(session, refused, [
            Answer(AnswerKind.contrl),
            Answer(AnswerKind.contrl, reference=theirs, recipient=acme.id)]) == []
    assert seen == [(mine, "acme"), (theirs, "acme")]
