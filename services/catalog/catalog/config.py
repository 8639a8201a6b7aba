from pathlib import Path

from pydantic_settings import SettingsConfigDict

from portal_common.settings import GrpcServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[3]


class CatalogSettings(GrpcServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    grpc_port: int = 50051
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT}/.local/data/catalog.db"
    # How many items `python -m catalog seed` generates into an empty database (tests use fewer).
    sample_items: int = 7200
    # The first portal office account, created by `python -m catalog bootstrap-admin` when missing.
    admin_username: str = "admin"
    admin_password: str = "changethis"
    # Log-in lock-out (see catalog/staff.py): failures within 15 minutes before an address is refused for one
    # account, and for every account.
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20

    def secret_fields(self) -> tuple[str, ...]:
        return ("admin_password",)
