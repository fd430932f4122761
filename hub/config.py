"""Typed settings read from the environment; nothing connects or reads files here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.procurement.settings import ProcurementSettings
from hub.reconciliation.settings import MatchingSettings
from hub.retention.domain import RetentionPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'hub.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# DeliveryPolicy's fields and their environment names; read into Settings.extra (hub.erp.delivery)
DELIVERY_ENV = {"max_attempts": "HUB_DELIVERY_MAX_ATTEMPTS", "backoff_base": "HUB_DELIVERY_BACKOFF_BASE",
                "backoff_max": "HUB_DELIVERY_BACKOFF_MAX", "sending_timeout": "HUB_DELIVERY_SENDING_TIMEOUT",
                "visibility_timeout": "HUB_OUTBOX_VISIBILITY_SECONDS", "batch": "HUB_DELIVERY_BATCH"}

_LIMITS = ("max_interchange_messages", "max_message_segments", "max_message_values",
           "max_segment_elements", "max_element_components", "max_value_chars",
           "max_empty_segments")


@dataclass
class Settings:
    """Everything the hub can be configured with. Environment names are HUB_<NAME> unless noted."""

    database_url: str = ""  # DATABASE_URL; SQLite under instance/ when empty
    max_upload_bytes: int = 20 * 1024 * 1024  # HUB_MAX_UPLOAD_BYTES
    scheduler_enabled: bool = False  # HUB_SCHEDULER=1: run jobs (inbound processing, ...) in-process
    worker_poll_seconds: float = 1.0  # HUB_WORKER_POLL_SECONDS
    processing_stale_seconds: int = 600  # HUB_PROCESSING_STALE_SECONDS: requeue stuck exchanges
    # HUB_PROCESSING_MAX_ATTEMPTS: an exchange whose processing died, ran out of memory or time this
    # often ends failed instead of going back to the queue
    processing_max_attempts: int = 3
    processing_time_limit_seconds: int = 300  # HUB_PROCESSING_TIME_LIMIT_SECONDS, 0: none
    ingest_worker_memory_mb: int = 1024  # HUB_INGEST_WORKER_MEMORY_MB: growth per worker, 0: none
    page_size_max: int = 500
    hub_edi_id: str = "PONTEHUB"  # HUB_EDI_ID: the hub's own UNB identity on what it renders
    hub_edi_qualifier: str = "ZZ"  # HUB_EDI_QUALIFIER
    # HUB_INGEST_WORKERS: processes mapping a big EDIFACT interchange beside the one persisting it;
    # -1 (the default) is one per CPU (at most 8); 0 or 1 is one. A big file is always mapped in
    # worker processes, where the memory budget applies; smaller files map in-process
    ingest_workers: int = -1
    ingest_parallel_bytes: int = 1_000_000  # HUB_INGEST_PARALLEL_BYTES: smaller files map in-process
    # Shapes no real EDIFACT file comes near, refused by name (mappings/edifact/limits.py)
    max_interchange_messages: int = 100_000  # HUB_MAX_INTERCHANGE_MESSAGES
    max_message_segments: int = 200_000  # HUB_MAX_MESSAGE_SEGMENTS
    max_message_values: int = 1_000_000  # HUB_MAX_MESSAGE_VALUES: elements + components
    max_segment_elements: int = 100  # HUB_MAX_SEGMENT_ELEMENTS
    max_element_components: int = 100  # HUB_MAX_ELEMENT_COMPONENTS
    max_value_chars: int = 10_000  # HUB_MAX_VALUE_CHARS
    max_empty_segments: int = 1_000  # HUB_MAX_EMPTY_SEGMENTS
    env: str = "development"  # HUB_ENV: "production" requires an audit key that is given
    # The audit chain's HMAC key (HUB_AUDIT_KEY, or read from HUB_AUDIT_KEY_FILE); required unless
    # the database is SQLite outside production, where a key is generated beside the database
    audit_key: str = field(default="", repr=False)
    audit_key_file: str = ""
    audit_checkpoint_file: str = ""  # HUB_AUDIT_CHECKPOINT_FILE: default beside the database
    audit_checkpoint_seconds: float = 60.0  # HUB_AUDIT_CHECKPOINT_SECONDS: at most one per period
    audit_syslog: str = ""  # HUB_AUDIT_SYSLOG: also send checkpoints to /dev/log or udp://host:port
    # HUB_AUDIT_BACKDATE_GRACE_SECONDS: an unsealed event dated further before the chain's head
    # than this is a backdated insert, never sealed (real ones wait no longer than a transaction)
    audit_backdate_grace_seconds: int = 3600
    mailbox_pickup_hours: float = 24.0  # HUB_MAILBOX_PICKUP_HOURS: untaken longer, a file is flagged
    log_level: str = "INFO"  # HUB_LOG_LEVEL
    log_format: str = "text"  # HUB_LOG_FORMAT: text | json (one JSON object per line)
    # HUB_READY_MAX_WAITING / HUB_READY_MAX_AGE_SECONDS: /readyz answers 503 past either, in any queue
    ready_max_waiting: int = 10_000
    ready_max_age_seconds: int = 3600
    demo: bool = False  # HUB_DEMO=1 (make run): print the demo key after the server's banner
    # HUB_STATEMENT_PROFILES: a folder of CSV statement profiles (*.json) beside the shipped ones
    statement_profiles: str = ""
    statement_fetch_minutes: int = 15  # HUB_STATEMENT_FETCH_MINUTES: connectors' statement folders
    public_url: str = "http://127.0.0.1:5000"  # HUB_PUBLIC_URL: where the hub is reached (links shown)
    ack_deadline_hours: float = 24.0  # HUB_ACK_DEADLINE_HOURS: an unanswered CONTRL/APERAK is overdue
    session_key: str = field(default="", repr=False)  # HUB_SESSION_KEY: signs the admin cookie
    # HUB_SECRET_KEY: any long random passphrase; connectors' literal passwords and tokens and admin
    # users' TOTP secrets are stored encrypted under it (empty: literals refused, TOTP kept as is)
    secret_key: str = field(default="", repr=False)
    admin_idle_minutes: int = 30  # HUB_ADMIN_IDLE_MINUTES: an idle admin session ends
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # the delivery policy's (DELIVERY_ENV), tests
    procurement: ProcurementSettings = field(default_factory=ProcurementSettings)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)  # HUB_RETENTION_*
    matching: MatchingSettings = field(default_factory=MatchingSettings)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings from the process environment (or the mapping given)."""
        env = dict(os.environ if env is None else env)
        limits: dict[str, Any] = {name: int(env.get(f"HUB_{name.upper()}", getattr(cls, name)))
                                  for name in _LIMITS}
        return cls(
            database_url=normalise_database_url(env.get("DATABASE_URL", "")),
            procurement=ProcurementSettings.from_env(env),
            retention=RetentionPolicy.from_env(env),
            matching=MatchingSettings.from_env(env),
            max_upload_bytes=int(env.get("HUB_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            scheduler_enabled=_bool(env.get("HUB_SCHEDULER"), False),
            demo=_bool(env.get("HUB_DEMO"), False),
            worker_poll_seconds=float(env.get("HUB_WORKER_POLL_SECONDS", cls.worker_poll_seconds)),
            hub_edi_id=env.get("HUB_EDI_ID", cls.hub_edi_id),
            hub_edi_qualifier=env.get("HUB_EDI_QUALIFIER", cls.hub_edi_qualifier),
            processing_stale_seconds=int(
                env.get("HUB_PROCESSING_STALE_SECONDS", cls.processing_stale_seconds)),
            processing_max_attempts=int(
                env.get("HUB_PROCESSING_MAX_ATTEMPTS", cls.processing_max_attempts)),
            processing_time_limit_seconds=int(env.get("HUB_PROCESSING_TIME_LIMIT_SECONDS",
                                                      cls.processing_time_limit_seconds)),
            ingest_worker_memory_mb=int(
                env.get("HUB_INGEST_WORKER_MEMORY_MB", cls.ingest_worker_memory_mb)),
            mailbox_pickup_hours=float(env.get("HUB_MAILBOX_PICKUP_HOURS", cls.mailbox_pickup_hours)),
            log_level=env.get("HUB_LOG_LEVEL", cls.log_level).upper(),
            log_format=env.get("HUB_LOG_FORMAT", cls.log_format).lower(),
            ready_max_waiting=int(env.get("HUB_READY_MAX_WAITING", cls.ready_max_waiting)),
            ready_max_age_seconds=int(env.get("HUB_READY_MAX_AGE_SECONDS", cls.ready_max_age_seconds)),
            ingest_workers=int(env.get("HUB_INGEST_WORKERS", cls.ingest_workers)),
            statement_profiles=env.get("HUB_STATEMENT_PROFILES", ""),
            statement_fetch_minutes=int(env.get("HUB_STATEMENT_FETCH_MINUTES",
                                                cls.statement_fetch_minutes)),
            ingest_parallel_bytes=int(env.get("HUB_INGEST_PARALLEL_BYTES",
                                              cls.ingest_parallel_bytes)),
            public_url=env.get("HUB_PUBLIC_URL") or cls.public_url,
            ack_deadline_hours=float(env.get("HUB_ACK_DEADLINE_HOURS") or cls.ack_deadline_hours),
            session_key=env.get("HUB_SESSION_KEY", ""),
            secret_key=env.get("HUB_SECRET_KEY", ""),
            admin_idle_minutes=int(env.get("HUB_ADMIN_IDLE_MINUTES") or cls.admin_idle_minutes),
            extra={name: env[var] for name, var in DELIVERY_ENV.items() if env.get(var)},
            **limits,
            **cls._audit_from_env(env),
        )

    @classmethod
    def _audit_from_env(cls, env: dict[str, str]) -> dict[str, Any]:
        return {
            "env": env.get("HUB_ENV", cls.env).strip().lower(),
            "audit_key": env.get("HUB_AUDIT_KEY", ""),
            "audit_key_file": env.get("HUB_AUDIT_KEY_FILE", ""),
            "audit_checkpoint_file": env.get("HUB_AUDIT_CHECKPOINT_FILE", ""),
            "audit_checkpoint_seconds": float(env.get("HUB_AUDIT_CHECKPOINT_SECONDS",
                                                      cls.audit_checkpoint_seconds)),
            "audit_syslog": env.get("HUB_AUDIT_SYSLOG", ""),
            "audit_backdate_grace_seconds": int(env.get("HUB_AUDIT_BACKDATE_GRACE_SECONDS",
                                                        cls.audit_backdate_grace_seconds)),
        }

    def ingest_worker_count(self) -> int:
        """How many mapping processes a big interchange gets: at least one, so that the memory
        budget fences whatever a big file does, even on one CPU."""
        if self.ingest_workers >= 0:
            return max(1, self.ingest_workers)
        return max(1, min(os.cpu_count() or 1, 8))
