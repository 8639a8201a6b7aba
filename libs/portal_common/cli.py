"""The command line every service shares: `python -m <service> <command>`."""

import argparse
import asyncio
import inspect
import logging
from collections.abc import Callable

from portal_common import messaging
from portal_common.logs import configure_logging
from portal_common.settings import ServiceSettings


def run(service: str, settings: ServiceSettings, commands: dict[str, Callable[[ServiceSettings], object]]) -> None:
    """Dispatch to `commands[argv[1]]`, with logging and stream replication set up; coroutine functions run in an
    event loop."""
    parser = argparse.ArgumentParser(prog=f"python -m {service}")
    parser.add_argument("command", choices=sorted(commands))
    command = commands[parser.parse_args().command]
    configure_logging(service, settings.log_level)
    messaging.configure_streams(settings.nats_stream_replicas)
    try:
        if inspect.iscoroutinefunction(command):
            asyncio.run(command(settings))
        else:
            command(settings)
    except KeyboardInterrupt:
        logging.getLogger(service).info("interrupted")
