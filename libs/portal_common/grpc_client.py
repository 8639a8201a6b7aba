"""Channels from one service to another: retries of reads and per-call load balancing, in gRPC's service config.

Load balancing: a channel resolves its target to every address behind it and spreads calls over them
(`round_robin`), rather than keeping one connection to one server (gRPC's default, `pick_first`). In Kubernetes the
target is `dns:///catalog:50051` and `catalog` is a headless Service, whose name resolves to the ready pods' own
addresses; servers close connections after GRPC_MAX_CONNECTION_AGE_SECONDS (grpc_server.py), so clients resolve
the name again and reach pods added since. Locally `127.0.0.1:50051` resolves to itself: one server, same code.
"""

import json

import grpc
from google.protobuf.descriptor import ServiceDescriptor

# Reads are safe to send again, so a call that finds its service UNAVAILABLE (restarting, or a replica going away
# mid-call) is retried with backoff inside the call's deadline; changes are not (gRPC still retries transparently
# any call that never left the client).
READ_PREFIXES = ("Get", "List", "Count", "Search", "Suggest", "Track")
RETRY_POLICY = {
    "maxAttempts": 5,
    "initialBackoff": "0.1s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    # CANCELLED too: a server shutting down cancels the calls it received but had not yet handed to a handler,
    # instead of answering UNAVAILABLE (grpc/grpc#41785); for a read, that is safe to send again.
    "retryableStatusCodes": ["UNAVAILABLE", "CANCELLED"],
}


def channel_options(service: ServiceDescriptor) -> list[tuple[str, object]]:
    reads = [
        {"service": service.full_name, "method": method.name}
        for method in service.methods
        if method.name.startswith(READ_PREFIXES)
    ]
    config = {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{"name": reads, "retryPolicy": RETRY_POLICY}],
    }
    return [("grpc.enable_retries", 1), ("grpc.service_config", json.dumps(config))]


def channel(address: str, service: ServiceDescriptor, interceptors=()) -> grpc.aio.Channel:
    """A channel to `service` at `address` (`host:port`, `dns:///host:port` or `ipv4:a:port,b:port`)."""
    return grpc.aio.insecure_channel(address, options=channel_options(service), interceptors=list(interceptors) or None)
