"""One log format for every process: a line per record, service name first, easy to grep and to ship."""

import logging
import sys


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The clients log every failed attempt with a traceback; the portal's own code says what it does about it.
    for noisy in ("opensearch", "urllib3", "nats", "aiohttp"):
        logging.getLogger(noisy).setLevel(max(logging.ERROR, root.level))
