"""Prometheus metrics: latency histograms observed as work finishes, and the state of the queues
read from the database at scrape time (a few bounded aggregate queries, never per request)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Select
from sqlalchemy.orm import Session

from hub.db import utcnow

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

# Process-wide: the work is done by the scheduler's threads, whichever app built them.
PROCESSING = Histogram("hub_exchange_processing_seconds", "Time to process one inbound exchange",
                       ["outcome"], buckets=BUCKETS, registry=None)

# What the gauges read, filled at start-up (`hub.create_app`) by the capabilities that own the tables:
# this module sits below them all and names none of their tables. Each backlog: a SELECT of (count,
# oldest time); the exchange counts: rows of (direction, state, type, count).
BACKLOGS: dict[str, Callable[[], Select[int, datetime]]] = {}
EXCHANGE_COUNTS: list[Callable[[Session], Iterable[tuple[str, str, str | None, int]]]] = []
DELIVERY = Histogram("hub_delivery_attempt_seconds", "Time of one push delivery attempt",
                     ["outcome"], buckets=BUCKETS, registry=None)


@dataclass(frozen=True)
class Backlog:
    """One queue: how many items wait and since when the oldest does."""

    name: str
    waiting: int
    oldest: datetime | None

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.oldest).total_seconds()) if self.oldest else 0.0


def backlogs(session: Session) -> list[Backlog]:
    """Inbound files to process, pushes due, files in partners' mailboxes, polls not yet acked."""
    out = []
    for name, query in BACKLOGS.items():
        waiting, oldest = session.execute(query()).one()
        out.append(Backlog(name, int(waiting or 0), oldest))
    return out


class HubCollector(Collector):
    """Exchanges by direction, state and type, and every backlog, read at each scrape."""

    def __init__(self, make_session: Callable[[], Session]) -> None:
        self.make_session = make_session

    def collect(self) -> Iterator[GaugeMetricFamily]:
        exchanges = GaugeMetricFamily("hub_exchanges", "Exchanges by direction, state and type",
                                      labels=["direction", "state", "type"])
        depth = GaugeMetricFamily("hub_queue_depth", "Items waiting in each queue", labels=["queue"])
        age = GaugeMetricFamily("hub_queue_oldest_age_seconds", "Age of the oldest waiting item",
                                labels=["queue"])
        with self.make_session() as session:
            rows = [row for counts in EXCHANGE_COUNTS for row in counts(session)]
            queues = backlogs(session)
        for direction, state, doc_type, count in rows:
            exchanges.add_metric([direction, state, doc_type or "unknown"], count)
        now = utcnow()
        for queue in queues:
            depth.add_metric([queue.name], queue.waiting)
            age.add_metric([queue.name], queue.age_seconds(now))
        yield from (exchanges, depth, age)


def registry_for(make_session: Callable[[], Session]) -> CollectorRegistry:
    """A registry with the process's histograms and this app's database figures."""
    registry = CollectorRegistry()
    registry.register(PROCESSING)
    registry.register(DELIVERY)
    registry.register(HubCollector(make_session))
    return registry
