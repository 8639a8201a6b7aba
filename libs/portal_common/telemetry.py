"""OpenTelemetry set-up, driven by the standard OTEL_* variables.

Tracing is off unless OTEL_TRACES_EXPORTER names an exporter ("otlp" or "console"): the default exports nothing
and installs nothing, so an untraced deployment pays no per-request cost. Trace context crosses gRPC through the
instrumentation's interceptors and crosses NATS in message headers (W3C traceparent).
"""

import os
from collections.abc import Mapping

from opentelemetry import context, propagate, trace

_enabled = False


def configure_tracing(service: str) -> bool:
    """Install the SDK when an exporter is configured; return whether tracing is on."""
    global _enabled
    exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if exporter_name in ("", "none"):
        return False
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter_name == "otlp":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint, headers, timeout from OTEL_EXPORTER_OTLP_*
    elif exporter_name == "console":
        exporter = ConsoleSpanExporter()
    else:
        raise ValueError(f"OTEL_TRACES_EXPORTER={exporter_name!r} is not supported: use otlp, console or none")
    service_name = os.environ.get("OTEL_SERVICE_NAME") or service
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))  # batching knobs from OTEL_BSP_*
    trace.set_tracer_provider(provider)
    _enabled = True
    return True


def tracing_enabled() -> bool:
    return _enabled


def shutdown_tracing() -> None:
    """Flush spans still in the batch queue; called on graceful shutdown."""
    provider = trace.get_tracer_provider()
    if hasattr(provider, "shutdown"):
        provider.shutdown()


def current_trace_headers() -> dict[str, str]:
    """The active trace context as message headers (empty when nothing is being traced)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from_headers(headers: Mapping[str, str] | None) -> context.Context:
    return propagate.extract(dict(headers or {}))
