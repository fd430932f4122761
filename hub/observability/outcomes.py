"""One log line (and a latency observation) per exchange outcome, delivery attempt and job run."""

from __future__ import annotations

import logging
from typing import Any

from hub.domain.states import DeliveryOutcome, ExchangeState
from hub.observability.logs import event
from hub.observability.metrics import DELIVERY, PROCESSING

log = logging.getLogger("hub.outcomes")

# Jobs that tick every second: a run that found nothing to do is a debug line, not noise.
POLLERS = frozenset({"process_inbound", "deliver_outbox", "seal_audit"})


def exchange_outcome(exchange_id: str, state: ExchangeState, seconds: float, *, partner_id: int | None,
                     doc_type: str | None, error: dict[str, Any] | None) -> None:
    """Log how processing an exchange ended: id, partner, type, state, duration, error code (the
    exchange's row is read by `hub.exchanges.outcomes`)."""
    PROCESSING.labels(outcome=state).observe(seconds)
    level = logging.INFO if state == ExchangeState.processed else logging.WARNING
    event(log, f"exchange.{state}", level=level, id=exchange_id, partner_id=partner_id, type=doc_type,
          state=state, duration_ms=round(seconds * 1000, 1), error_code=(error or {}).get("code"))


def delivery_attempt(delivery_id: str, attempt: int, state: DeliveryOutcome, seconds: float, *,
                     document_id: str | None, partner_id: int | None, connector: str | None,
                     error: dict[str, Any] | None) -> None:
    """Log one push delivery attempt: delivery, document, connector, attempt, state, error code (the
    delivery's row is read by `hub.erp.outcomes`)."""
    DELIVERY.labels(outcome=state).observe(seconds)
    event(log, "delivery.attempt", level=logging.INFO if state is DeliveryOutcome.sent else logging.WARNING,
          id=delivery_id, document_id=document_id, partner_id=partner_id, connector=connector,
          attempt=attempt, state=state, duration_ms=round(seconds * 1000, 1),
          error_code=(error or {}).get("code") if state is not DeliveryOutcome.sent else None)


def job_run(job_id: str, seconds: float, result: Any, error: BaseException | None = None) -> None:
    """Log one scheduled run; a poller's idle tick only at debug level."""
    idle = job_id in POLLERS and not result and error is None
    level = logging.ERROR if error is not None else logging.DEBUG if idle else logging.INFO
    event(log, "job.run", level=level, job=job_id, duration_ms=round(seconds * 1000, 1),
          result=result if isinstance(result, int | str) else None,
          error=f"{type(error).__name__}: {error}" if error is not None else None)


def job_listener(job_event: Any) -> None:
    """APScheduler listener for executed and failed jobs."""
    from hub.db import utcnow

    seconds = (utcnow() - job_event.scheduled_run_time).total_seconds()
    job_run(job_event.job_id, seconds, job_event.retval, job_event.exception)
