"""The shapes the JSON API accepts. They check types only; the services check meaning (lengths, phones, time
limits, permissions) and say what is wrong in Chinese."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AliasIn(Strict):
    name: str
    source: str = ""


class ContactIn(Strict):
    name: str
    title: str = ""
    phone: str = ""


class MaterialIn(Strict):
    name: str
    form: str = "原件"
    copies: int = 1
    required: bool = True
    blank_form: str = ""
    sample: str = ""
    note: str = ""


class StepIn(Strict):
    title: str
    description: str = ""


class LegalBasisIn(Strict):
    law: str
    articles: str = ""


class FaqIn(Strict):
    question: str
    answer: str


class ItemIn(Strict):
    """A service guide as staff write it. On updates, `version` is the version the editor started from."""

    code: str
    name: str
    section: str
    department_id: int
    fees: str
    version: int = 0
    aliases: list[AliasIn] = []
    item_type: str = ""
    audience: str = ""
    themes: list[str] = []
    life_events: list[str] = []
    accepting_unit_id: int = 0
    handling_unit_id: int = 0
    window: str = ""
    staff_in_charge: list[ContactIn] = []
    consultation_phone: str = ""
    complaint_phone: str = ""
    conditions: str = ""
    materials: list[MaterialIn] = []
    steps: list[StepIn] = []
    case_type: str = ""
    legal_time_limit_days: int | None = None
    promised_time_limit_days: int | None = None
    legal_basis: list[LegalBasisIn] = []
    result: str = ""
    hall: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    bus_routes: list[str] = []
    hours: str = ""
    holiday_note: str = ""
    online: bool = False
    online_url: str = ""
    visits_required: int = 1
    faq: list[FaqIn] = []
    summary: str = ""
    status: Literal["draft", "published", "withdrawn"] = "draft"


class StatusIn(Strict):
    status: Literal["draft", "published", "withdrawn"]
    version: int


class OrgUnitIn(Strict):
    name: str
    duties: str = ""


class LeaderIn(Strict):
    title: str
    name: str


class DepartmentIn(Strict):
    name: str
    version: int = 0
    short_name: str = ""
    kind: str = ""
    parent_id: int = 0
    functions: str = ""
    internal_structure: list[OrgUnitIn] = []
    staffing_quota: int = 0
    leaders: list[LeaderIn] = []
    address: str = ""
    phone: str = ""
    opening_hours: str = ""
    latitude: float | None = None
    longitude: float | None = None
    bus_routes: list[str] = []
    website: str = ""


class StaffIn(Strict):
    username: str
    password: str
    role: Literal["department", "portal_office"]
    display_name: str = ""
    department_id: int = 0


class LoginIn(Strict):
    username: str = Field(max_length=50)
    password: str = Field(max_length=200)


# Resident submissions. Lengths are bounded generously here (a body cannot be a megabyte); the feedback service
# applies the real limits and says in Chinese which field is too long. `homepage` is the honeypot: the forms hide
# it from people, so only bots fill it in.
LONG_TEXT = 20_000
SHORT_TEXT = 1_000


class TicketIn(Strict):
    kind: Literal["consultation", "complaint", "suggestion", "help"]
    subject: str = Field(max_length=SHORT_TEXT)
    body: str = Field(max_length=LONG_TEXT)
    contact_name: str = Field("", max_length=SHORT_TEXT)
    contact_phone: str = Field("", max_length=SHORT_TEXT)
    contact_email: str = Field("", max_length=SHORT_TEXT)
    item_id: int = Field(0, ge=0)
    department_id: int = Field(0, ge=0)
    public: bool = False
    homepage: str = Field("", max_length=SHORT_TEXT)


class SubScoresIn(Strict):
    accuracy: int | None = Field(None, ge=1, le=5)
    efficiency: int | None = Field(None, ge=1, le=5)
    attitude: int | None = Field(None, ge=1, le=5)


class RatingIn(Strict):
    target: Literal["item", "department", "ticket"]
    level: Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
    item_id: int = Field(0, ge=0)
    department_id: int = Field(0, ge=0)
    ticket_no: str = Field("", max_length=40)
    code: str = Field("", max_length=20)
    comment: str = Field("", max_length=LONG_TEXT)
    scores: SubScoresIn = SubScoresIn()
    homepage: str = Field("", max_length=SHORT_TEXT)


class ExperienceIn(Strict):
    title: str = Field(max_length=SHORT_TEXT)
    body: str = Field(max_length=LONG_TEXT)
    item_id: int = Field(0, ge=0)
    department_id: int = Field(0, ge=0)
    author_name: str = Field("", max_length=SHORT_TEXT)
    contact_phone: str = Field("", max_length=SHORT_TEXT)
    homepage: str = Field("", max_length=SHORT_TEXT)


class TransitionIn(Strict):
    """A step on a ticket: `action` is one of the flow's actions; the rest depends on it."""

    action: str = Field(max_length=40)
    note: str = Field("", max_length=LONG_TEXT)
    department_id: int = Field(0, ge=0)
    duplicate_of: str = Field("", max_length=40)
    days: int = Field(0, ge=0, le=365)
    version: int = Field(0, ge=0)


class ModerationIn(Strict):
    decision: Literal["publish", "reject"]
    reason: str = Field("", max_length=LONG_TEXT)


class NoteIn(Strict):
    body: str = Field(max_length=LONG_TEXT)


class AppealIn(Strict):
    reason: str = Field(max_length=LONG_TEXT)


class ReviewIn(Strict):
    decision: Literal["uphold", "reject"]
    note: str = Field("", max_length=LONG_TEXT)


class ClickIn(Strict):
    query: str = Field(max_length=200)
    item_id: int = Field(gt=0)


class BestBetIn(Strict):
    query: str = Field(max_length=100)
    item_id: int = Field(gt=0)
    expires_at: datetime
