"""The auditor: after any run (a fault test, a load test, a night in production), compare the stores and report
what was lost, duplicated or left half-done. `python -m portal_common.audit` (`make audit`) exits 1 on a finding.

What it checks, from the contracts in DESIGN.md and the README:
- every item in the catalog database is in the live index (the alias) at exactly its version and status: none
  missing, none stale, none ahead, none that the catalog does not know (withdrawn items stay in the index with
  their status, which searches filter on);
- every outbox row (catalog and feedback) was published: its published time is set and JetStream holds its
  `Nats-Msg-Id` exactly once in the service's stream; and no outbox row describes an entity that is not there;
- every ticket has its history (a step row) and its `TicketCreated` event; every ticket number a caller was told
  about (`acknowledged_tickets`) exists exactly once.

It reads the databases with plain SQL on the services' table names and decodes events with the generated
contracts, so it depends on no service's code.
"""

import argparse
import asyncio
import json
import secrets
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import nats
from google.protobuf.message import Message
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opensearchpy import AsyncOpenSearch
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.events.v1 import events_pb2
from portal_common import messaging
from portal_common.database import create_engine

SHOWN_PER_CHECK = 20  # findings printed per check; the count is always complete


@dataclass
class AuditReport:
    checked: Counter = field(default_factory=Counter)  # records looked at, per check
    findings: dict[str, list[str]] = field(default_factory=dict)  # check -> what is wrong

    def add(self, check: str, records: int, problems: Iterable[str]) -> None:
        self.checked[check] += records
        problems = list(problems)
        if problems:
            self.findings.setdefault(check, []).extend(problems)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> dict:
        """Figures for a results file: records checked and findings per check."""
        return {"checked": dict(self.checked), "findings": {k: len(v) for k, v in self.findings.items()}}

    def text(self) -> str:
        lines = [f"audit: {'OK' if self.ok else 'FINDINGS'}"]
        for check, records in self.checked.items():
            problems = self.findings.get(check, [])
            lines.append(f"  {check}: {records} checked, {len(problems)} finding(s)")
            lines.extend(f"    - {problem}" for problem in problems[:SHOWN_PER_CHECK])
            if len(problems) > SHOWN_PER_CHECK:
                lines.append(f"    … and {len(problems) - SHOWN_PER_CHECK} more")
        return "\n".join(lines)


# --- the index against the catalog -------------------------------------------------------------------------------


async def catalog_items(catalog: AsyncEngine) -> dict[int, tuple[int, str]]:
    async with catalog.connect() as connection:
        rows = await connection.execute(text("SELECT id, version, status FROM service_item"))
        return {row.id: (row.version, row.status) for row in rows}


async def indexed_items(engine: AsyncOpenSearch, alias: str) -> dict[int, tuple[int, str]]:
    """id -> (external version, status) of every document behind `alias`, read with a scroll."""
    found: dict[int, tuple[int, str]] = {}
    body = {"query": {"match_all": {}}, "_source": ["status"], "version": True, "size": 1000, "sort": ["_doc"]}
    page = await engine.search(index=alias, body=body, scroll="2m")
    try:
        while hits := page["hits"]["hits"]:
            found.update({int(hit["_id"]): (hit["_version"], hit["_source"].get("status", "")) for hit in hits})
            page = await engine.scroll(scroll_id=page["_scroll_id"], scroll="2m")
    finally:
        await engine.clear_scroll(scroll_id=page["_scroll_id"], ignore=(404,))
    return found


def compare_index(catalog: dict[int, tuple[int, str]], indexed: dict[int, tuple[int, str]]) -> list[str]:
    problems = []
    for item_id, (version, status) in sorted(catalog.items()):
        if item_id not in indexed:
            problems.append(f"item {item_id} v{version} ({status}) missing from the index")
        elif indexed[item_id] != (version, status):
            seen_version, seen_status = indexed[item_id]
            problems.append(f"item {item_id}: catalog v{version} {status}, index v{seen_version} {seen_status}")
    problems.extend(
        f"item {item_id} in the index but not in the catalog" for item_id in sorted(indexed - catalog.keys())
    )
    return problems


async def check_index(report: AuditReport, catalog: AsyncEngine, engine: AsyncOpenSearch, alias: str) -> None:
    await engine.indices.refresh(index=alias)  # what the engine holds, not what its last refresh showed
    items = await catalog_items(catalog)
    report.add("index equals catalog", len(items), compare_index(items, await indexed_items(engine, alias)))


# --- outboxes against JetStream ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    event_id: str
    subject: str
    payload: bytes
    event_type: str
    published: bool


async def outbox_rows(database: AsyncEngine) -> list[OutboxRow]:
    async with database.connect() as connection:
        rows = await connection.execute(
            text("SELECT event_id, subject, payload, headers, published_at FROM outbox ORDER BY seq")
        )
        return [
            OutboxRow(
                row.event_id,
                row.subject,
                row.payload,
                _json(row.headers).get(messaging.EVENT_TYPE, ""),
                row.published_at is not None,
            )
            for row in rows
        ]


def _json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


async def stream_message_ids(js: JetStreamContext, stream: str) -> Counter:
    """How many times each `Nats-Msg-Id` is stored in `stream`, read through a headers-only ephemeral consumer."""
    name = f"audit-{secrets.token_hex(4)}"
    config = ConsumerConfig(
        name=name,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.NONE,
        headers_only=True,
        inactive_threshold=30.0,
    )
    await js.add_consumer(stream, config)
    subscription = await js.pull_subscribe_bind(consumer=name, stream=stream)
    counts: Counter = Counter()
    try:
        while pending := (await subscription.consumer_info()).num_pending:
            for message in await subscription.fetch(min(pending, 1000), timeout=10):
                counts[(message.headers or {}).get(messaging.MSG_ID, "")] += 1
    finally:
        await subscription.unsubscribe()
        await js.delete_consumer(stream, name)
    return counts


def stream_of(subject: str) -> str:
    """The stream that holds a subject: `catalog.>` is in CATALOG, `feedback.>` in FEEDBACK (messaging.py)."""
    return subject.split(".")[0].upper()


def compare_outbox(rows: list[OutboxRow], stored: dict[str, Counter]) -> list[str]:
    problems = []
    for row in rows:
        if not row.published:
            problems.append(f"{row.subject} {row.event_id} never published (published_at empty)")
            continue
        times = stored[stream_of(row.subject)][row.event_id]
        if times != 1:
            problems.append(f"{row.subject} {row.event_id} stored {times} times in the stream")
    return problems


async def check_outbox(report: AuditReport, service: str, database: AsyncEngine, js: JetStreamContext) -> None:
    rows = await outbox_rows(database)
    stored = {stream: await stream_message_ids(js, stream) for stream in {stream_of(row.subject) for row in rows}}
    report.add(f"{service} outbox published once", len(rows), compare_outbox(rows, stored))


# --- partial records ---------------------------------------------------------------------------------------------

EVENT_TYPES = {
    message.DESCRIPTOR.full_name: message
    for message in (
        events_pb2.CatalogItemChanged,
        events_pb2.DepartmentChanged,
        events_pb2.TicketCreated,
        events_pb2.TicketChanged,
        events_pb2.RatingChanged,
        events_pb2.ExperienceChanged,
    )
}


def entity_of(row: OutboxRow) -> tuple[str, object, int] | None:
    """(table, key, version) the event describes; version 0 when the event carries none."""
    event: Message = EVENT_TYPES[row.event_type].FromString(row.payload)
    match event:
        case events_pb2.CatalogItemChanged():
            return "service_item", event.item.id, event.item.version
        case events_pb2.DepartmentChanged():
            return "department", event.department.id, event.department.version
        case events_pb2.TicketCreated() | events_pb2.TicketChanged():
            return "ticket", event.ticket_no, 0
        case events_pb2.RatingChanged():
            return "rating", event.rating.id, 0
        case events_pb2.ExperienceChanged():
            return "experience", event.experience_id, 0
    return None


KEY_COLUMN = {"ticket": "ticket_no"}


async def versions_by_key(database: AsyncEngine, table: str) -> dict[object, int]:
    key = KEY_COLUMN.get(table, "id")
    async with database.connect() as connection:
        rows = await connection.execute(text(f"SELECT {key} AS key, version FROM {table}"))  # noqa: S608 (fixed names)
        return {row.key: row.version for row in rows}


async def check_orphan_events(report: AuditReport, service: str, database: AsyncEngine) -> None:
    """An event must describe an entity the database holds, at a version it reached (a rolled-back write that
    still left its event behind would show here)."""
    rows = [row for row in await outbox_rows(database) if row.event_type in EVENT_TYPES]
    entities = [(row, entity_of(row)) for row in rows]
    tables = {entity[0] for _, entity in entities if entity}
    known = {table: await versions_by_key(database, table) for table in tables}
    problems = [
        f"{row.subject} {row.event_id}: {table} {key} v{version} not in the database"
        for row, (table, key, version) in ((r, e) for r, e in entities if e)
        if key not in known[table] or known[table][key] < version
    ]
    report.add(f"{service} events have their entity", len(rows), problems)


async def check_tickets(report: AuditReport, feedback: AsyncEngine) -> None:
    """Every ticket has its history and was announced: no half-stored submission."""
    async with feedback.connect() as connection:
        tickets = (await connection.execute(text("SELECT id, ticket_no FROM ticket"))).all()
        with_steps = set((await connection.execute(text("SELECT DISTINCT ticket_id FROM ticket_step"))).scalars())
    announced = {
        events_pb2.TicketCreated.FromString(row.payload).ticket_no
        for row in await outbox_rows(feedback)
        if row.event_type == events_pb2.TicketCreated.DESCRIPTOR.full_name
    }
    problems = [f"ticket {t.ticket_no} has no history row" for t in tickets if t.id not in with_steps]
    problems += [f"ticket {t.ticket_no} has no TicketCreated event" for t in tickets if t.ticket_no not in announced]
    report.add("tickets complete", len(tickets), problems)


async def check_acknowledged(report: AuditReport, feedback: AsyncEngine, ticket_nos: Iterable[str]) -> None:
    """Each ticket number a caller got in a success answer exists exactly once."""
    ticket_nos = list(ticket_nos)
    async with feedback.connect() as connection:
        stored = Counter((await connection.execute(text("SELECT ticket_no FROM ticket"))).scalars())
    acknowledged = Counter(ticket_nos)
    problems = [
        f"ticket {no} acknowledged {acknowledged[no]}x, stored {stored[no]}x" for no in acknowledged if stored[no] != 1
    ]
    problems += [f"ticket {no} acknowledged {n} times" for no, n in acknowledged.items() if n > 1]
    report.add("acknowledged submissions stored once", len(ticket_nos), problems)


# --- putting it together -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stores:
    """Where the stores are; a None part is not audited."""

    catalog_database_url: str | None = None
    feedback_database_url: str | None = None
    nats_url: str | None = None
    opensearch_url: str | None = None
    index_alias: str = "portal-items"


async def _connect(url: str) -> nats.NATS:
    """One attempt, quietly: the auditor reports an absent NATS, it does not wait for it."""

    async def quiet(_error: Exception) -> None:
        pass

    # nats-py keeps retrying a first connection that is refused, whatever its reconnect options say: a deadline.
    try:
        return await asyncio.wait_for(nats.connect(url, connect_timeout=5, error_cb=quiet), 15)
    except TimeoutError as error:
        raise ConnectionError(f"NATS at {url} not reachable") from error


async def audit(stores: Stores, acknowledged_tickets: Iterable[str] | None = None) -> AuditReport:
    report = AuditReport()
    databases = {
        service: create_engine(url)
        for service, url in (("catalog", stores.catalog_database_url), ("feedback", stores.feedback_database_url))
        if url
    }
    connection = await _connect(stores.nats_url) if stores.nats_url else None
    search = AsyncOpenSearch(hosts=[stores.opensearch_url], timeout=30) if stores.opensearch_url else None
    try:
        for service, database in databases.items():
            if connection:
                await check_outbox(report, service, database, connection.jetstream())
            await check_orphan_events(report, service, database)
        if search and "catalog" in databases:
            await check_index(report, databases["catalog"], search, stores.index_alias)
        if "feedback" in databases:
            await check_tickets(report, databases["feedback"])
            if acknowledged_tickets is not None:
                await check_acknowledged(report, databases["feedback"], acknowledged_tickets)
    finally:
        for database in databases.values():
            await database.dispose()
        if connection:
            await connection.close()
        if search:
            await search.close()
    return report


async def assert_consistent(stores: Stores, acknowledged_tickets: Iterable[str] | None = None) -> AuditReport:
    """The test helper: audit, print the report (pytest -s shows it), fail the test on any finding."""
    report = await audit(stores, acknowledged_tickets)
    print(report.text())
    assert report.ok, report.text()
    return report


class AuditSettings(BaseSettings):
    """The same variables the services read (README, Configuration), with the same defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    catalog_database_url: str = Field(
        "sqlite+aiosqlite:///.local/data/catalog.db", validation_alias="CATALOG_DATABASE_URL"
    )
    feedback_database_url: str = Field(
        "sqlite+aiosqlite:///.local/data/feedback.db", validation_alias="FEEDBACK_DATABASE_URL"
    )
    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias="NATS_URL")
    opensearch_url: str = Field("http://127.0.0.1:9200", validation_alias="OPENSEARCH_URL")
    index_alias: str = Field("portal-items", validation_alias="SEARCH_INDEX_ALIAS")

    def stores(self) -> Stores:
        return Stores(**self.model_dump())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m portal_common.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tickets", type=argparse.FileType(encoding="utf-8"), help="acknowledged ticket numbers, one a line"
    )
    args = parser.parse_args()
    acknowledged = [line.strip() for line in args.tickets if line.strip()] if args.tickets else None
    try:
        report = asyncio.run(audit(AuditSettings().stores(), acknowledged))
    except Exception as error:  # a store that cannot be read is a finding too, said in one line
        sys.exit(f"audit: could not read the stores: {error!r}")
    print(report.text())
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
