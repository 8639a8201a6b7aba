from pathlib import Path

from pydantic_settings import SettingsConfigDict

from portal_common.settings import GrpcServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[3]


class CatalogSettings(GrpcServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    grpc_port: int = 50051
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT}/.local/data/catalog.db"
