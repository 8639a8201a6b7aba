"""The settings base class: every service reads its configuration from the environment through one of these."""

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that are fine on a developer's machine and must never reach production.
PLACEHOLDERS = {"changethis", "dev-secret", ""}


class ServiceSettings(BaseSettings):
    """What every service needs. Subclasses set `env_prefix` (CATALOG_, ...) for their own fields.

    The shared fields use fixed names (NATS_URL, ...) so that one value configures the whole stack.
    """

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["local", "test", "production"] = Field("local", validation_alias="PORTAL_ENV")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias="NATS_URL")
    # Servers holding a copy of each JetStream stream the service creates (1 to 5; 3 on a three-server cluster).
    nats_stream_replicas: int = Field(1, ge=1, le=5, validation_alias="NATS_STREAM_REPLICAS")
    # On SIGTERM a server first reports NOT_SERVING for `drain_delay` seconds while still answering, so that load
    # balancers stop routing to it; then it stops accepting and gives in-flight calls `shutdown_grace` seconds.
    drain_delay: float = Field(0.0, validation_alias="DRAIN_DELAY_SECONDS")
    shutdown_grace: float = Field(5.0, validation_alias="SHUTDOWN_GRACE_SECONDS")

    def secret_fields(self) -> tuple[str, ...]:
        """Names of fields that must hold a real secret in production."""
        return ()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self):
        if self.environment == "production":
            for name in self.secret_fields():
                if getattr(self, name) in PLACEHOLDERS:
                    raise ValueError(f"{name} must be set to a real secret when PORTAL_ENV=production")
        return self


class GrpcServiceSettings(ServiceSettings):
    """A service that serves gRPC: where it listens."""

    grpc_host: str = "127.0.0.1"
    grpc_port: int
    # A client connection is closed (gracefully: calls under way finish) after this long, so that clients resolve
    # the service's name again and spread onto replicas started since (grpc_client.py).
    max_connection_age: float = Field(120.0, gt=0, validation_alias="GRPC_MAX_CONNECTION_AGE_SECONDS")

    @property
    def grpc_listen(self) -> str:
        return f"{self.grpc_host}:{self.grpc_port}"
