"""The feedback service's tables."""

from datetime import datetime
from pathlib import Path

from sqlalchemy import Boolean, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal_common.database import NAMING_CONVENTION, UTCDateTime
from portal_common.outbox import OutboxMixin, utcnow

# Alembic's folder for these tables: `python -m feedback migrate` brings a database up to date.
MIGRATIONS = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Ticket(Base):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(64))  # the code itself is only ever shown once
    kind: Mapped[str] = mapped_column(String(20))  # consultation / complaint / suggestion / help
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(Integer)  # the catalog's id; no foreign key across services
    department_id: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    may_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketStep(Base):
    """Every step of a ticket's life: who, when, what."""

    __tablename__ = "ticket_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxEvent(OutboxMixin, Base):
    pass
