from pathlib import Path

from pydantic_settings import SettingsConfigDict

from portal_common.settings import GrpcServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[3]


class FeedbackSettings(GrpcServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    grpc_port: int = 50053
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT}/.local/data/feedback.db"
