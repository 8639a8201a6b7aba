"""The portal for a load run when none is running: NATS, OpenSearch and every service as local processes on free
loopback ports (portal_common.local_stack), the sample catalog indexed before the first request."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from portal_common.local_stack import (
    ADMIN_USERNAME,
    UNLIMITED_RATES,
    PortalStack,
    running_infrastructure,
    running_stack,
)

ADMIN_PASSWORD = "load-admin-password"


@contextlib.contextmanager
def running_load_stack(folder: Path, items: int, env: dict[str, str]) -> Iterator[PortalStack]:
    with contextlib.ExitStack() as cleanup:
        nats, opensearch_url = cleanup.enter_context(running_infrastructure(folder))
        (folder / "services").mkdir(exist_ok=True)
        stack = cleanup.enter_context(
            running_stack(
                folder / "services",
                nats_url=nats.url,
                nats_monitor_url=nats.monitor_url,
                opensearch_url=opensearch_url,
                sample_items=items,
                admin_password=ADMIN_PASSWORD,
                env={**UNLIMITED_RATES, **env},
            )
        )
        stack.wait_until_indexed(600)
        yield stack


def admin_account() -> str:
    """The portal office account of a started stack, as "username:password"."""
    return f"{ADMIN_USERNAME}:{ADMIN_PASSWORD}"
