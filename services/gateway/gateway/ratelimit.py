"""Rate limits per client IP: a token bucket per client and kind of request, kept in this process.

A bucket holds `burst` tokens and refills `rate` per second; each request takes one. Sized so that people never
notice (see GatewaySettings); a script hammering search or posting tickets in a loop is slowed to the steady rate.
Replicas share nothing: behind a load balancer each replica keeps its own buckets, so N replicas admit up to N times
the rate. The client IP is the TCP peer, or X-Forwarded-For when the peer is a trusted proxy (uvicorn's
--forwarded-allow-ips), so a proxy that does not set that header puts everyone in one bucket."""

import time
from dataclasses import dataclass

from fastapi import Request

from gateway.config import GatewaySettings
from gateway.rpc import ApiError

MAX_CLIENTS = 50_000  # buckets kept per kind; the full (idle) ones are forgotten first


@dataclass
class Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(self, burst: int, per_second: float, clock=time.monotonic):
        self.burst = burst
        self.rate = per_second
        self.clock = clock
        self.buckets: dict[str, Bucket] = {}

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self.buckets[key] = Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b.updated < full_after}
        if len(self.buckets) >= MAX_CLIENTS:  # everyone is busy: start over rather than grow without bound
            self.buckets.clear()


class RateLimits:
    def __init__(self, settings: GatewaySettings):
        self.kinds = {
            "search": TokenBuckets(settings.search_burst, settings.search_per_minute / 60),
            "suggest": TokenBuckets(settings.suggest_burst, settings.suggest_per_minute / 60),
            "submit": TokenBuckets(settings.submit_burst, settings.submit_per_hour / 3600),
        }

    def check(self, kind: str, client: str) -> None:
        wait = self.kinds[kind].take(client)
        if wait:
            raise RateLimited(wait)


class RateLimited(ApiError):
    def __init__(self, retry_after: float):
        super().__init__(429, "rate_limited", "操作太频繁，请稍等片刻再试")
        self.retry_after = max(1, int(retry_after + 0.999))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit(kind: str):
    """A route dependency: one token of `kind` for the client, or 429 with Retry-After."""

    async def dependency(request: Request) -> None:
        request.app.state.rate_limits.check(kind, client_ip(request))

    return dependency
