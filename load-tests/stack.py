"""The portal for a load run when none is running: NATS, OpenSearch and every service as local processes on free
loopback ports (portal_common.local_stack), the sample catalog indexed before the first request."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from portal_common.local_stack import ADMIN_USERNAME, PortalStack, running_stack
from portal_common.testing import NatsServer, free_port, running_opensearch

ADMIN_PASSWORD = "load-admin-password"

# The gateway's token buckets are per client address and sized for people; the load's residents come from many
# addresses (X-Forwarded-For) but a run still measures the portal, not the limiter, so a started stack lifts them.
# The feedback service's per-phone limit stays: every submission comes from another phone.
UNLIMITED = {
    "GATEWAY_SEARCH_BURST": "1000000",
    "GATEWAY_SEARCH_PER_MINUTE": "1000000",
    "GATEWAY_SUGGEST_BURST": "1000000",
    "GATEWAY_SUGGEST_PER_MINUTE": "1000000",
    "GATEWAY_SUBMIT_BURST": "1000000",
    "GATEWAY_SUBMIT_PER_HOUR": "1000000",
    "FEEDBACK_IP_HOURLY_LIMIT": "1000000",
}


@contextlib.contextmanager
def running_load_stack(folder: Path, items: int, env: dict[str, str]) -> Iterator[PortalStack]:
    with contextlib.ExitStack() as cleanup:
        folder.mkdir(parents=True, exist_ok=True)
        nats = NatsServer(free_port(), free_port(), folder / "nats-store", folder / "nats.log")
        cleanup.callback(nats.stop)
        nats.start()
        (folder / "opensearch").mkdir(exist_ok=True)
        opensearch_url = cleanup.enter_context(running_opensearch(folder / "opensearch"))
        (folder / "services").mkdir(exist_ok=True)
        stack = cleanup.enter_context(
            running_stack(
                folder / "services",
                nats_url=nats.url,
                nats_monitor_url=nats.monitor_url,
                opensearch_url=opensearch_url,
                sample_items=items,
                admin_password=ADMIN_PASSWORD,
                env={**UNLIMITED, **env},
            )
        )
        stack.wait_until_indexed(600)
        yield stack


def admin_account() -> str:
    """The portal office account of a started stack, as "username:password"."""
    return f"{ADMIN_USERNAME}:{ADMIN_PASSWORD}"
