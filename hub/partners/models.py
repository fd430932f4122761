"""Tables of partners: the trading partners and the identifiers they are known by, and who may call the
hub: staff users and the API credentials (partner keys, staff tokens, ERP connector tokens); and the
hub's own companies (its identities as a party: invoicing issues in their name, partners tells which
one an inbound file is addressed to)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, utcnow


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    syntax: Mapped[str] = mapped_column(String(20), default="edifact")  # preferred: edifact | ubl
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    identifiers: Mapped[list[PartnerIdentifier]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", lazy="selectin")

class PartnerIdentifier(Base):
    """An identifier the partner is known by: EDI id with its qualifier, CNPJ, VAT number, GLN."""

    __tablename__ = "partner_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value", "qualifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))  # edi, gln, cnpj, vat
    value: Mapped[str] = mapped_column(String(100))
    qualifier: Mapped[str] = mapped_column(String(10), default="")  # UNB 0007, e.g. 14, ZZ

    partner: Mapped[Partner] = relationship(back_populates="identifiers")

class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # admin | operator | auditor
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # admin pages (hub/admin): scrypt password, TOTP secret with the last time step accepted (no
    # replay), recovery codes as hashes, and the one-time enrolment link's hash until it is used
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSON)
    enrolment_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

class ApiCredential(Base):
    """A partner API key or a user's personal token; only its SHA-256 is stored."""

    __tablename__ = "api_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings to tell keys apart
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connector_id: Mapped[int | None] = mapped_column(ForeignKey("connectors.id"), index=True)  # ERP token


class Company(Base):
    """The hub's own identity as a seller: legal name, address, identifiers, bank account, Pix key."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{"scheme", "value"}]
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    pix_key: Mapped[str | None] = mapped_column(String(77))
    payment_days: Mapped[int] = mapped_column(Integer, default=30)
    invoice_prefix: Mapped[str] = mapped_column(String(20), default="INV")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
