"""The catalog's tables. Lists inside a guide (materials, steps, FAQ, ...) are JSON columns: they are always read
and written with their item, never queried on their own."""

from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portal_common.database import NAMING_CONVENTION, UTCDateTime
from portal_common.outbox import OutboxMixin, utcnow

# Alembic's folder for these tables: `python -m catalog migrate` brings a database up to date.
MIGRATIONS = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Place:
    """Where residents go and how to reach it: shared by departments and their units."""

    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    bus_routes: Mapped[list] = mapped_column(JSON, default=list)


class Department(Place, Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(50), default="")  # 政府部门, 事业单位, 公用企业, 医院, ...
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    functions: Mapped[str] = mapped_column(Text, default="")  # 职能
    internal_structure: Mapped[list] = mapped_column(JSON, default=list)  # 内设机构 [{name, duties}]
    staffing_quota: Mapped[int] = mapped_column(Integer, default=0)  # 编制数
    leaders: Mapped[list] = mapped_column(JSON, default=list)  # [{title, name}]
    website: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # a concurrent writer fails instead of overwriting


class Unit(Place, Base):
    """A place that accepts or handles applications (受理单位 / 办理机构), with its windows."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    windows: Mapped[list] = mapped_column(JSON, default=list)


class ServiceItem(Base):
    """One service guide (办事指南)."""

    __tablename__ = "service_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list] = mapped_column(JSON, default=list)  # [{name, source}]
    section: Mapped[str] = mapped_column(String(20))
    item_type: Mapped[str] = mapped_column(String(20), default="")
    audience: Mapped[str] = mapped_column(String(20), default="")
    themes: Mapped[list] = mapped_column(JSON, default=list)
    life_events: Mapped[list] = mapped_column(JSON, default=list)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    accepting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    window: Mapped[str] = mapped_column(String(300), default="")
    staff_in_charge: Mapped[list] = mapped_column(JSON, default=list)  # [{name, title, phone}]
    consultation_phone: Mapped[str] = mapped_column(String(50), default="")
    complaint_phone: Mapped[str] = mapped_column(String(50), default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[list] = mapped_column(JSON, default=list)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    case_type: Mapped[str] = mapped_column(String(10), default="")
    legal_time_limit_days: Mapped[int | None] = mapped_column(Integer)
    promised_time_limit_days: Mapped[int | None] = mapped_column(Integer)
    fees: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)  # [{law, articles}]
    result: Mapped[str] = mapped_column(String(300), default="")
    hall: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    bus_routes: Mapped[list] = mapped_column(JSON, default=list)
    hours: Mapped[str] = mapped_column(String(300), default="")
    holiday_note: Mapped[str] = mapped_column(String(300), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str] = mapped_column(String(300), default="")
    visits_required: Mapped[int] = mapped_column(Integer, default=1)
    faq: Mapped[list] = mapped_column(JSON, default=list)  # [{question, answer}]
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft / published / withdrawn
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    accepting_unit: Mapped[Unit | None] = relationship(foreign_keys=[accepting_unit_id], lazy="joined")
    handling_unit: Mapped[Unit | None] = relationship(foreign_keys=[handling_unit_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # a concurrent writer fails instead of overwriting
    __table_args__ = (
        Index("ix_item_department_status", "department_id", "status"),
        Index("ix_item_section_status", "section", "status"),
        Index("ix_item_audience_status", "audience", "status"),  # counts per audience from the index alone
    )


class ItemTag(Base):
    """The item's themes and life events as rows, so both databases can filter and count them the same way."""

    __tablename__ = "item_tag"

    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # theme / life_event
    value: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (Index("ix_item_tag_kind_value", "kind", "value"),)


class ItemAudit(Base):
    """Every change to an item: who, when, and the fields' values before and after."""

    __tablename__ = "item_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    editor: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[dict] = mapped_column(JSON)  # field -> [old, new]


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # department / portal_office
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FailedLogin(Base):
    """One failed log-in, counted against the (account, client address) pair and against the address alone (both
    hashed) for the lock-out; deleted after a day, and a pair's rows on its next successful log-in."""

    __tablename__ = "failed_login"
    __table_args__ = (Index("ix_failed_login_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(80))  # "account:<hash>" or "ip:<hash>"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StaffSession(Base):
    """A login. Only a hash of the token is stored, so a leaked table opens no session."""

    __tablename__ = "staff_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(lazy="joined")


class OutboxEvent(OutboxMixin, Base):
    pass
