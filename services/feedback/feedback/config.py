from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from feedback.policy import Policy
from feedback.workdays import WorkCalendar, parse_days
from portal_common.settings import GrpcServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[3]


class FeedbackSettings(GrpcServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    grpc_port: int = 50053
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT}/.local/data/feedback.db"
    # The catalog owns staff accounts: staff calls are checked against its sessions (cached for a few seconds).
    catalog_address: str = "127.0.0.1:50051"
    staff_cache_seconds: float = 10.0

    # Deadlines, in working days counted from assignment, per kind (JSON: {"consultation": 3, ...}).
    deadline_days: dict[str, int] = {"consultation": 3, "complaint": 13, "suggestion": 15, "help": 5}
    # The working-day calendar: Monday to Friday, minus holidays, plus make-up working days (调休), in this zone.
    timezone: str = "Asia/Shanghai"
    holidays: list[str] = Field(default_factory=list)  # JSON list: "2026-10-01" or a range "2026-10-01..2026-10-07"
    extra_workdays: list[str] = Field(default_factory=list)  # weekend days worked instead
    escalate_after_days: int = 3  # 督办 this many working days after the deadline (催办 comes after one)
    max_returns: int = 3  # after this many returns a ticket stays with the portal office to coordinate
    max_extension_days: int = 10
    rating_window_days: int = 7  # an answered ticket nobody rated is closed after this many days

    # Abuse: submissions per client address per hour and per phone number per day (generous: a government
    # service hall or a mobile carrier puts many residents behind one address).
    ip_hourly_limit: int = 60
    phone_daily_limit: int = 20

    scheduler_interval_seconds: float = 60.0

    @field_validator("holidays", "extra_workdays")
    @classmethod
    def _dates(cls, values: list[str]) -> list[str]:
        parse_days(values)  # fails fast on a malformed date
        return values

    def policy(self) -> Policy:
        return Policy(
            calendar=WorkCalendar(self.timezone, parse_days(self.holidays), parse_days(self.extra_workdays)),
            deadline_days=self.deadline_days,
            escalate_after_days=self.escalate_after_days,
            max_returns=self.max_returns,
            max_extension_days=self.max_extension_days,
            rating_window_days=self.rating_window_days,
            ip_hourly_limit=self.ip_hourly_limit,
            phone_daily_limit=self.phone_daily_limit,
        )
