"""The portal's day as locust journeys: residents on the desktop and WAP sites, people tracking a ticket, residents
submitting consultations and ratings, and department staff editing items (their edits flow through NATS into
search while the load runs).

Every request is named "<kind>: <what>"; budgets.toml judges each kind. Configured by environment:
LOAD_PROFILE (day, step, steady: see shapes.py), LOAD_USERS, LOAD_DURATION, LOAD_STAFF_USERS, LOAD_TICKETS,
LOAD_ADMIN_USERNAME / LOAD_ADMIN_PASSWORD (the portal office account the staff journeys use) and LOAD_OUTPUT_DIR
(figures.json and staff-edits.json go there). `make load` sets them; see load-tests/README.md.

Residents come from many addresses (X-Forwarded-For, which the gateway trusts from a proxy on loopback), and every
submission from another phone, so the per-IP and per-phone limits see what they would see in a real day."""

import os
import random
import uuid

import httpx
import mix
import report
import staff
from locust import FastHttpUser, between, events, task
from locust.runners import MasterRunner
from shapes import PROFILES

Shape = PROFILES[os.environ.get("LOAD_PROFILE", "day")]  # the one shape locust finds in this module

RUN: dict = {}  # filled at the start of a run: "mix" (what residents ask for) and "tickets" (what they track)
LEVELS = ("very_satisfied", "satisfied", "satisfied", "basically_satisfied")


@events.init.add_listener
def prepare(environment, **_kwargs):
    """Read the catalog to draw from, and make the tickets that trackers follow (each process its own), before any
    user starts. Not at test_start: a load shape starts the test anew on each tick until it runs."""
    if isinstance(environment.runner, MasterRunner) or not environment.host:
        return  # the master of --processes only shapes the load
    RUN["mix"] = mix.Mix(environment.host)
    with httpx.Client(base_url=environment.host, timeout=30) as client:
        made = [_make_ticket(client) for _ in range(int(os.environ.get("LOAD_TICKETS", 20)))]
    RUN["tickets"] = [ticket for ticket in made if ticket]
    if not RUN["tickets"]:
        raise RuntimeError(f"{environment.host} made none of the tickets to track: see the gateway's log")


@events.quitting.add_listener
def write_figures(environment, **_kwargs):
    report.write(environment, os.environ.get("LOAD_OUTPUT_DIR"), Shape, staff.EDITS)


def _make_ticket(client: httpx.Client) -> dict | None:
    """A ticket to track, or None when the portal does not make it (a busy machine may time a call out)."""
    body = consultation(RUN["mix"].item())
    headers = {"Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": mix.client_address()}
    for _ in range(3):  # the same key: a retry never makes a second ticket
        answer = client.post("/api/v1/tickets", json=body, headers=headers)
        if answer.status_code == 201:
            return answer.json()
    return None


def error_code(answer) -> str:
    if "json" not in (answer.headers.get("content-type") or ""):
        return ""
    try:
        return str(answer.json().get("code", ""))
    except ValueError:
        return ""


def consultation(item: dict) -> dict:
    return {
        "kind": "consultation",
        "subject": f"咨询：{mix.short_title(item['title'])}需要带什么材料",
        "body": "请问办理这个事项需要准备哪些材料？可以网上办理吗？周末是否受理？",
        "contact_name": "张女士",
        "contact_phone": mix.phone(),
        "item_id": item["id"],
    }


class Resident(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.from_address = {"X-Forwarded-For": mix.client_address()}

    def get(self, path: str, name: str, **params):
        return self.call("GET", path, name, params=params or None)

    def call(self, method: str, path: str, name: str, headers: dict | None = None, **options):
        """A request that fails with the status and the API's error code, so that the report says why (pages: the
        status only, as a page's text differs with every query and would split the failures table)."""
        headers = headers or self.from_address
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **options) as answer:
            if not answer.ok:
                answer.failure(f"{answer.status_code} {error_code(answer)}".strip())
            return answer

    @property
    def mix(self) -> mix.Mix:
        return RUN["mix"]


class DesktopResident(Resident):
    """Home page, a query typed with autocomplete, the results, a guide, sometimes its printable sheet or PDF."""

    weight = 50

    @task
    def find_a_service(self):
        query = self.mix.query()
        self.get("/", "home: desktop")
        self.wait()
        for _ in range(random.randint(1, 2)):
            self.get("/api/v1/suggest", "autocomplete: api", q=self.mix.prefix(query))
        self.get("/search", "search: desktop", q=query)
        self.wait()
        item_id = self.mix.item()["id"]
        self.get(f"/items/{item_id}", "item page: desktop")
        if random.random() < 0.3:
            self.wait()
            self.get(f"/items/{item_id}/print", "print sheet: desktop")
        if random.random() < 0.01:
            self.get(f"/items/{item_id}/print.pdf", "print pdf: desktop")


class WapResident(Resident):
    """The phone site: its home, a search, a guide."""

    weight = 30

    @task
    def find_a_service(self):
        self.get("/m/", "home: wap")
        self.wait()
        self.get("/m/search", "search: wap", q=self.mix.query())
        self.wait()
        self.get(f"/m/items/{self.mix.item()['id']}", "item page: wap")


class TicketTracker(Resident):
    """Someone checking on a consultation with its number and query code, no account."""

    weight = 10

    @task
    def track(self):
        ticket = random.choice(RUN["tickets"])
        self.get(f"/api/v1/tickets/{ticket['ticket_no']}", "tracking: api", code=ticket["query_code"])


class Submitter(Resident):
    """A consultation about a service, or a rating of one; a fresh Idempotency-Key and phone each time."""

    weight = 8
    wait_time = between(2, 6)  # writing takes longer than reading

    @task(3)
    def consult(self):
        self.submit("/api/v1/tickets", "submission: ticket", consultation(self.mix.item()))

    @task(2)
    def rate(self):
        rating = {"target": "item", "item_id": self.mix.item()["id"], "level": random.choice(LEVELS)}
        self.submit("/api/v1/ratings", "submission: rating", rating)

    def submit(self, path: str, name: str, body: dict):
        headers = {**self.from_address, "Idempotency-Key": uuid.uuid4().hex}
        self.call("POST", path, name, headers=headers, json=body)


class DepartmentStaff(Resident):
    """Staff keeping guides current through the admin API; each save is a catalog event on its way to search."""

    fixed_count = int(os.environ.get("LOAD_STAFF_USERS", 2))
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        self.session = None

    def log_in(self) -> dict | None:
        account = {"username": os.environ.get("LOAD_ADMIN_USERNAME", "admin")}
        account["password"] = os.environ.get("LOAD_ADMIN_PASSWORD", "changethis")
        login = self.call("POST", "/api/v1/auth/login", "staff login: api", json=account)
        return {**self.from_address, "Authorization": f"Bearer {login.json()['token']}"} if login.ok else None

    @task
    def edit_item(self):
        self.session = self.session or self.log_in()  # a failed log-in is counted; the next task tries again
        if not self.session:
            return
        item_id = random.choice(self.mix.items)["id"]  # uniform: two editors rarely meet on one guide (409)
        current = self.call("GET", f"/api/v1/admin/items/{item_id}", "staff edit: read", headers=self.session)
        if not current.ok:
            return
        self.wait()
        edit = staff.edited(current.json())
        path = f"/api/v1/admin/items/{item_id}"
        saved = self.call("PUT", path, "staff edit: save", headers=self.session, json=edit.body)
        if saved.ok:
            staff.EDITS.append({"item_id": item_id, "alias": edit.alias})
