from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from portal_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # The HTTP server and its processes (see gateway/__main__.py and load-tests/README.md for the measurements).
    server: Literal["uvicorn", "uvicorn-h11", "granian"] = "uvicorn"
    workers: int = Field(1, ge=1)
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
    # Where residents reach the desktop site (the QR code of a guide sheet points there); empty: the request's host.
    public_url: str = ""
    # A request body larger than this is refused with 413 before it is read.
    max_body_bytes: int = 256 * 1024
    # Token buckets per client IP, in this process only (replicas share nothing: N replicas allow N times this).
    # Sized so that a person never meets them: a burst, then a steady rate far above anyone's typing.
    search_burst: int = 60
    search_per_minute: int = 60
    suggest_burst: int = 120
    suggest_per_minute: int = 240
    submit_burst: int = 10
    submit_per_hour: int = 30
    # Public pages may be kept this long by browsers and a CDN; a catalog change shows within it at the latest.
    page_max_age: int = 60
    # The gateway keeps public pages itself (page_cache.py): a page that names its sources until an event about one
    # of them (or this many seconds), any other (search results) this many seconds; at most this many MB per process.
    # 0 MB turns it off.
    page_cache_seconds: float = 60.0
    unkeyed_page_cache_seconds: float = 30.0
    page_cache_mb: int = Field(32, ge=0)
    # Opens a place in a map service; {lat}, {lon} and {name} are filled in (WGS 84 coordinates).
    map_link: str = "https://uri.amap.com/marker?position={lon},{lat}&name={name}&coordinate=wgs84"

    def secret_fields(self) -> tuple[str, ...]:
        return ("session_secret",)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS in production (the local stack serves plain HTTP on loopback)."""
        return self.environment == "production"
