"""Hostile and odd input at every door of the running gateway: queries from empty to a megabyte, broken UTF-8 and odd
Unicode, search-syntax and SQL injection, deeply nested and oversized bodies, pagination past the engine's window,
path traversal in ids, and resident forms filled by hypothesis. Every answer is a clear error or a normal answer:
never a 5xx, never a stack trace; JSON with a code under /api/, a page in Chinese elsewhere."""

import base64
import http.client
import json
import re
import urllib.parse
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import bearer
from tests.e2e.test_pages import csrf_of

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "驾照\x00补办",
    "\u202e驾照补办\u202c",  # right-to-left override
    "\u200f\u200e\u200b",  # RTL / LTR marks, zero-width space
    "ｊｉａｚｈａｏ　驾驶证",  # full-width letters and space
    "🚗" * 50,
    "e\u0301" * 30,  # combining accents
    "\ufeff身份证",
]
SEARCH_SYNTAX = [
    "*",
    "title:* OR _exists_:status",
    'status:draft OR "驾驶证"',
    "a AND (b OR",
    "/.*/",
    "\\",
    '"',
    '{"query": {"match_all": {}}}',
    "<script>alert(1)</script>",
    "驾照^1000 ~2 ?*",
]
SQL = ["' OR '1'='1", "1; DROP TABLE service_item; --", "' UNION SELECT password_hash FROM staff --", "%' --"]
TRAVERSAL = ["..%2F..%2Fetc%2Fpasswd", "..%2f..", "%2e%2e%2f%2e%2e", "1%2F..%2F..%2Fpyproject.toml", "..%5C..", "%00"]


def assert_clear(response: httpx.Response, *, api: bool) -> None:
    """Not a server error, no stack trace, and an error the reader can act on."""
    assert response.status_code < 500, (response.request.url, response.status_code, response.text[:500])
    assert "Traceback" not in response.text and 'File "' not in response.text, response.request.url
    if response.status_code < 400:
        return
    if api:
        body = response.json()
        assert body["code"] and re.search(r"[\u4e00-\u9fff]", body["message"]), (response.request.url, body)
    elif response.status_code not in (413, 414, 431):  # refused before any page code runs
        assert re.search(r"[\u4e00-\u9fff]", response.text), (response.request.url, response.text[:300])


@pytest.fixture(scope="module")
def client(stack) -> httpx.Client:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def any_item(client) -> dict:
    return client.get("/api/v1/items", params={"size": 1}).json()["items"][0]


@pytest.mark.parametrize("text", ODD_TEXT + SEARCH_SYNTAX + SQL)
def test_odd_queries_answer_results_or_a_clear_error(client, indexed, text):
    for path in ("/api/v1/search", "/api/v1/suggest"):
        assert_clear(client.get(path, params={"q": text}), api=True)
    for path in ("/search", "/m/search"):
        assert_clear(client.get(path, params={"q": text}), api=False)


def test_search_syntax_reaches_no_draft_and_no_other_field(client, indexed):
    published = client.get("/api/v1/items", params={"size": 1}).json()["total"]
    for text in SEARCH_SYNTAX:
        found = client.get("/api/v1/search", params={"q": text, "size": 50})
        assert found.status_code == 200, (text, found.text)
        assert found.json()["total"] < published, text  # taken as words, not as a match-everything query


@pytest.mark.parametrize("length", [0, 100, 101, 200, 201])
def test_queries_up_to_the_limits_answer_results_or_say_too_long(client, indexed, length):
    query = ("驾驶证补办" * (length // 5 + 1))[:length]
    for path, api in (("/api/v1/search", True), ("/search", False), ("/m/search", False), ("/api/v1/suggest", True)):
        answer = client.get(path, params={"q": query})
        assert_clear(answer, api=api)
        assert answer.status_code in (200, 400, 422), (path, length, answer.status_code)


@pytest.mark.parametrize("length", [10_000, 1_000_000])
def test_queries_of_ten_kilobytes_to_a_megabyte_are_refused_before_any_work(stack, length):
    """Too long for a request line: the HTTP server refuses them itself (as a proxy would), cheaply."""
    query = urllib.parse.quote(("驾驶证补办" * (length // 5 + 1))[:length])
    for path in ("/api/v1/search", "/search", "/m/search", "/api/v1/suggest"):
        connection = http.client.HTTPConnection("127.0.0.1", stack.ports["gateway"], timeout=30)
        try:
            connection.request("GET", f"{path}?q={query}")
            answer = connection.getresponse()
            status, text = answer.status, answer.read().decode(errors="replace")
        except (ConnectionResetError, BrokenPipeError):  # closed while the megabyte was still being sent
            status, text = 400, ""
        finally:
            connection.close()
        assert status in (400, 414, 431), (path, length, status)
        assert "Traceback" not in text


def test_broken_utf8_in_urls(client, indexed):
    for raw in ("%FF%FE", "%C3%28", "%ED%A0%80", "%E9%A9%BE%E7", "%F0%28%8C%BC"):
        for path, api in (("/api/v1/search", True), ("/search", False), ("/m/search", False)):
            assert_clear(client.get(f"{path}?q={raw}"), api=api)
        assert_clear(client.get(f"/api/v1/items?section={raw}"), api=True)


def test_sql_in_every_filter_finds_nothing_and_breaks_nothing(client, indexed):
    filters = ("section", "item_type", "audience", "theme", "life_event", "cursor", "department_id", "online", "size")
    for name in filters:
        for text in SQL:
            answer = client.get("/api/v1/items", params={name: text})
            assert_clear(answer, api=True)
            if answer.status_code == 200:
                assert answer.json()["total"] == 0, (name, text)
            for path in ("/api/v1/search", "/browse"):
                assert_clear(client.get(path, params={name: text, "q": "驾照"}), api=path.startswith("/api"))


def test_pagination_past_the_engines_window_is_refused_clearly(client, indexed):
    for page, size in ((201, 50), (1000, 50), (10_001, 1), (2**31, 10), (-1, 10), (1, 0), (1, 10**6)):
        answer = client.get("/api/v1/search", params={"q": "证", "page": page, "size": size})
        assert 400 <= answer.status_code < 500, (page, size, answer.status_code, answer.text)
        assert_clear(answer, api=True)
    for page in (201, 1000, 10**12):
        assert_clear(client.get("/search", params={"q": "证", "page": page}), api=False)
        assert_clear(client.get("/m/search", params={"q": "证", "page": page}), api=False)


BAD_CURSORS = [
    "9" * 30,  # past a 64-bit row id
    str(2**63),
    "²",  # a digit to str.isdigit, not to int
    "-1",
    "1e3",
    base64.urlsafe_b64encode(b"after:" + b"9" * 30).decode(),
    "!!!",
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_forged_page_cursors_are_refused_clearly(client, admin_token, any_item, cursor):
    department = any_item["department_id"]
    for path in ("/api/v1/items", "/api/v1/experiences"):
        answer = client.get(path, params={"cursor": cursor, "department_id": department})
        assert answer.status_code in (400, 422), (path, answer.text)
        assert_clear(answer, api=True)
    for path in ("/api/v1/admin/tickets", "/api/v1/admin/ratings", "/api/v1/admin/experiences"):
        answer = client.get(path, params={"cursor": cursor}, headers=bearer(admin_token))
        assert answer.status_code in (400, 422), (path, answer.text)
        assert_clear(answer, api=True)
    for path in (f"/departments/{department}", f"/m/departments/{department}", "/interaction/experiences"):
        assert_clear(client.get(path, params={"cursor": cursor}), api=False)


def test_path_traversal_in_ids(client, any_item):
    for evil in TRAVERSAL:
        for path, api in (
            (f"/api/v1/items/{evil}", True),
            (f"/api/v1/departments/{evil}", True),
            (f"/api/v1/tickets/{evil}?code=ABCDEF", True),
            (f"/api/v1/items/{evil}/questions", True),
            (f"/items/{evil}", False),
            (f"/items/{evil}/print", False),
            (f"/m/items/{evil}", False),
            (f"/departments/{evil}", False),
        ):
            answer = client.get(path)
            assert answer.status_code in (400, 404, 422), (path, answer.status_code)
            assert_clear(answer, api=api)
        static = client.get(f"/static/{evil}")
        assert static.status_code in (400, 404) and "[tool." not in static.text
    assert client.get(f"/api/v1/items/{any_item['id']}").status_code == 200


def post_json(client: httpx.Client, path: str, raw: bytes) -> httpx.Response:
    return client.post(path, content=raw, headers={"Content-Type": "application/json"})


def test_deeply_nested_malformed_and_oversized_bodies(client):
    nested = b'{"kind": "consultation", "subject": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    bodies = [
        nested,
        b"[" * 100_000,
        b'{"a": ' * 20_000 + b"1" + b"}" * 20_000,
        b"{not json",
        b"\xff\xfe\x00\x00",
        b'{"kind": "consultation", "subject": "\\ud800", "body": "\\udfff"}',
        b'{"kind": "consultation", "subject": "a\\u0000b", "body": "x", "contact_name": "n", "contact_phone": "1"}',
        json.dumps({"kind": "consultation", "subject": "x" * 300_000}).encode(),
    ]
    paths = ("/api/v1/tickets", "/api/v1/ratings", "/api/v1/experiences", "/api/v1/search/clicks", "/api/v1/auth/login")
    for raw in bodies:
        for path in paths:
            answer = post_json(client, path, raw)
            assert 400 <= answer.status_code < 500, (path, raw[:60], answer.status_code, answer.text[:300])
            assert_clear(answer, api=True)
    too_big = post_json(client, "/api/v1/tickets", json.dumps({"body": "长" * 200_000}).encode())
    assert too_big.status_code == 413 and too_big.json()["code"] == "body_too_large"


def test_lone_surrogates_and_nul_in_stored_text_are_refused_or_kept_as_typed(client):
    ticket = {"kind": "consultation", "subject": "驾照\x00补办", "body": "\u202e内容", "contact_phone": "13800000000"}
    answer = client.post("/api/v1/tickets", json=ticket, headers={"X-Forwarded-For": "192.0.2.77"})
    assert_clear(answer, api=True)
    if answer.status_code == 201:
        number, code = answer.json()["ticket_no"], answer.json()["query_code"]
        tracked = client.get(f"/api/v1/tickets/{number}", params={"code": code}).json()
        assert tracked["subject"] in ("驾照\x00补办", "驾照补办")


def test_unknown_paths_and_methods_answer_in_the_houses_format(client):
    api = [client.get("/api/v1/nothing-here"), client.delete("/api/v1/items"), client.post("/api/v1/items/1")]
    for answer in api:
        assert answer.status_code in (404, 405)
        assert_clear(answer, api=True)
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "找不到" in page.text or "不存在" in page.text


# --- resident forms, filled by hypothesis --------------------------------------------------------------------

FORM_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(ODD_TEXT + SEARCH_SYNTAX + SQL + ["<img src=x onerror=alert(1)>", "长" * 5000]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    prefix=st.sampled_from(["/interaction", "/m"]),
    kind=st.sampled_from(["consultation", "complaint", "suggestion", "help", "", "drop table"]),
    title=FORM_TEXT,
    content=FORM_TEXT,
    name=FORM_TEXT,
    phone=st.one_of(FORM_TEXT, st.from_regex(r"1[3-9]\d{9}", fullmatch=True)),
    item_id=st.one_of(st.sampled_from(["", "0", "-1", "9" * 30, "1e9", "../1"]), st.text(max_size=5)),
)
def test_the_consultation_form_survives_anything_typed(stack, prefix, kind, title, content, name, phone, item_id):
    form_path = "/interaction/consult" if prefix == "/interaction" else "/m/consult"
    address = {"X-Forwarded-For": f"192.0.2.{uuid.uuid4().int % 250 + 1}"}  # stay clear of the per-address limit
    with httpx.Client(base_url=stack.gateway_url, timeout=30, headers=address) as browser:
        token = csrf_of(browser.get(form_path))
        fields = {
            "kind": kind,
            "title": title,
            "content": content,
            "contact_name": name,
            "contact_phone": phone,
            "item_id": item_id,
            "department_id": item_id,
            "csrf_token": token,
        }
        answer = browser.post(form_path, data=fields)
    assert answer.status_code in (201, 400, 404, 413, 429), (answer.status_code, answer.text[:300])
    assert_clear(answer, api=False)
    if answer.status_code == 400 and title.strip() and len(title) < 100 and "<" in title:
        assert title not in answer.text  # re-rendered escaped, never as markup
