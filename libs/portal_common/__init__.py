"""Plumbing every portal service shares: settings, logging, telemetry, gRPC serving, NATS, the outbox.

No domain code lives here; each service owns its tables and its rules.
"""
