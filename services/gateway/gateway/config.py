from pydantic import Field
from pydantic_settings import SettingsConfigDict

from portal_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    catalog_address: str = "127.0.0.1:50051"
    search_address: str = "127.0.0.1:50052"
    feedback_address: str = "127.0.0.1:50053"
    # Readiness reports on the infrastructure too: JetStream's health endpoint and the engine's cluster health.
    nats_monitor_url: str = Field("http://127.0.0.1:8222", validation_alias="NATS_MONITOR_URL")
    opensearch_url: str = Field("http://127.0.0.1:9200", validation_alias="OPENSEARCH_URL")
    # Seconds each call to a service may take; the page answers (or degrades) within it.
    rpc_timeout: float = 3.0
    # Signs the CSRF token that goes with each staff session cookie.
    session_secret: str = "changethis"

    def secret_fields(self) -> tuple[str, ...]:
        return ("session_secret",)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS in production (the local stack serves plain HTTP on loopback)."""
        return self.environment == "production"
