"""The scheduler carries procurement's jobs: a run per slot (its misfire grace a whole slot) and sending."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from hub.scheduler import HubScheduler


def test_the_leader_schedules_replenishment_and_sending(app: Flask) -> None:
    app.config["HUB_SETTINGS"].procurement.replenish_every_minutes = 30
    jobs = {job.id: job for job in HubScheduler(app).scheduler.get_jobs()}
    assert jobs["replenish"].trigger.interval == timedelta(minutes=30)
    assert jobs["replenish"].misfire_grace_time == 30 * 60
    assert jobs["send_purchase_orders"].trigger.interval == timedelta(seconds=10)


def test_replenishment_can_be_switched_off(app: Flask) -> None:
    app.config["HUB_SETTINGS"].procurement.replenish_enabled = False
    ids = {job.id for job in HubScheduler(app).scheduler.get_jobs()}
    assert "replenish" not in ids and "send_purchase_orders" not in ids and "process_inbound" in ids
