"""The feedback service's tables. Ids of items and departments are the catalog's: no foreign key across services."""

from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portal_common.database import NAMING_CONVENTION, UTCDateTime
from portal_common.outbox import OutboxMixin, utcnow

# Alembic's folder for these tables: `python -m feedback migrate` brings a database up to date.
MIGRATIONS = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Ticket(Base):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(64))  # the code itself is never stored
    kind: Mapped[str] = mapped_column(String(20))  # consultation / complaint / suggestion / help
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    subject: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department_id: Mapped[int | None] = mapped_column(Integer)  # named by the resident
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    contact_email: Mapped[str] = mapped_column(String(100), default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # the resident allows publishing
    answer: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="resident")  # or rating (rectification)
    handling_department_id: Mapped[int | None] = mapped_column(Integer, index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    deadline_stage: Mapped[int] = mapped_column(Integer, default=0)  # flow.DEADLINE_STAGES
    bounce_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_days_requested: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of: Mapped[str] = mapped_column(String(20), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    qa_published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Every change is a compare-and-set on the version: two staff members, or two scheduler replicas, acting on
    # the same ticket at once cannot both win.
    __mapper_args__ = {"version_id_col": version}


class TicketStep(Base):
    """Every step of a ticket's life: who, when, what."""

    __tablename__ = "ticket_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))  # the step: submitted, assigned, overdue, ...
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    department_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKey(Base):
    """A submission's idempotency key (hashed) and a hash of what was sent with it."""

    __tablename__ = "idempotency_key"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RecentSubmission(Base):
    """One row per submission and per client it counts against (a hashed address or phone), for rate limits;
    deleted after two days."""

    __tablename__ = "recent_submission"
    __table_args__ = (Index("ix_recent_submission_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # ticket, rating, experience
    client: Mapped[str] = mapped_column(String(80))  # "ip:<hash>" or "phone:<hash>"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Rating(Base):
    __tablename__ = "rating"
    __table_args__ = (Index("ix_rating_department_id_created_at", "department_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(20))  # item, department, ticket
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department_id: Mapped[int | None] = mapped_column(Integer)  # who is rated (an item's department)
    ticket_no: Mapped[str] = mapped_column(String(20), default="")  # the ticket rated
    level: Mapped[int] = mapped_column(Integer)  # 1 非常不满意 .. 5 非常满意
    comment: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # accuracy, efficiency, attitude: 1..5
    status: Mapped[str] = mapped_column(String(20), default="counted")  # counted, appealed, excluded
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appealed_by: Mapped[str] = mapped_column(String(100), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(100), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_ticket_no: Mapped[str] = mapped_column(String(20), default="")  # opened by this rating
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Experience(Base):
    """A resident's story of a visit (分享政府办事经历), published after moderation."""

    __tablename__ = "experience"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # published, rejected
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    notes: Mapped[list["ExperienceNote"]] = relationship(order_by="ExperienceNote.id", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class ExperienceNote(Base):
    """Staff follow-up on a post ("we went with the resident to the window ...")."""

    __tablename__ = "experience_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experience_id: Mapped[int] = mapped_column(ForeignKey("experience.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: the portal office
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboxEntry(Base):
    """A department's notification, filled from the events (department 0 is the portal office)."""

    __tablename__ = "inbox_entry"
    __table_args__ = (UniqueConstraint("event_id", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, index=True)
    event_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    ticket_no: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxEvent(OutboxMixin, Base):
    pass
