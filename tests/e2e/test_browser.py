"""The pages in a real browser (Debian's chromium driven by Playwright): search → open a result → guide sheet, on
the desktop site at desktop and phone widths and on the WAP site; Chinese glyphs must render; axe-core finds no
serious or critical WCAG 2.1 AA violation on the key pages. Screenshots go to .local/artifacts/screenshots/."""

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import bearer
from tests.e2e.test_pages import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Draws characters on a canvas: a CJK glyph that renders differs from another one and from the "missing glyph" box.
GLYPHS_RENDER = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = 48; canvas.height = 48;
  const context = canvas.getContext("2d");
  const draw = (text) => {
    context.clearRect(0, 0, 48, 48);
    context.font = "32px 'Noto Sans CJK SC', sans-serif";
    context.fillText(text, 4, 36);
    return context.getImageData(0, 0, 48, 48).data.join(",");
  };
  const missing = draw("\\uE000");
  return draw("驾") !== missing && draw("证") !== missing && draw("驾") !== draw("证");
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser for all the page tests (they live in this module); each test opens its own pages. Closed with
    the module: Playwright's sync API keeps an event loop running that async tests elsewhere could not share."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe_report() -> Iterator[dict]:
    report: dict = {}
    yield report
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))


def open_page(browser: Browser, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.set_default_timeout(15_000)
    return page


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check_accessibility(page: Page, name: str, report: dict) -> None:
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    report[name] = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations]
    bad = [v for v in report[name] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


@pytest.mark.parametrize("width", [1280, 360])
def test_desktop_site_search_open_a_result_then_print_its_guide_sheet(stack, indexed, browser, axe_report, width):
    page = open_page(browser, width)
    page.goto(stack.gateway_url + "/")
    assert page.evaluate(GLYPHS_RENDER), "Chinese glyphs do not render: is fonts-noto-cjk installed?"
    shoot(page, f"desktop-{width}-1-home")
    box = page.locator("#home-q")
    box.press_sequentially("驾照补", delay=40)
    suggestions = page.locator("ul.suggestions li")
    expect(suggestions.first).to_be_visible()  # autocomplete, from /api/v1/suggest
    box.press_sequentially("办", delay=40)
    box.press("Enter")  # no suggestion chosen: the form searches for what was typed
    page.wait_for_url("**/search?q=*")
    first = page.locator(".hit h3 a").first
    expect(first).to_contain_text("驾驶证")
    shoot(page, f"desktop-{width}-2-results")
    first.click()
    page.wait_for_url("**/items/*")
    expect(page.locator("h1")).to_contain_text("机动车驾驶证")
    expect(page.locator("dt", has_text="单位地图")).to_be_visible()
    shoot(page, f"desktop-{width}-3-item")
    page.get_by_role("link", name="打印明白纸").click()
    page.wait_for_url("**/print")
    expect(page.locator("figure.qr svg")).to_be_visible()
    shoot(page, f"desktop-{width}-4-guide-sheet")
    page.emulate_media(media="print")
    expect(page.locator("nav.toolbar")).to_be_hidden()  # the sheet prints without the screen toolbar
    shoot(page, f"desktop-{width}-5-guide-sheet-print")
    page.close()


@pytest.mark.parametrize("width", [360, 240])
def test_wap_site_search_open_a_result_then_its_guide_sheet(stack, indexed, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(stack.gateway_url + "/m/")
    page.fill("#q", "驾照补办")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/m/search?q=*")
    shoot(page, f"wap-{width}-1-results")
    page.locator("ol li a").first.click()
    page.wait_for_url("**/m/items/*")
    expect(page.locator("h1")).to_contain_text("机动车驾驶证")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    shoot(page, f"wap-{width}-2-item")
    page.get_by_role("link", name="明白纸").click()
    page.wait_for_url("**/print")
    expect(page.locator("h1")).to_contain_text("明白纸")
    shoot(page, f"wap-{width}-3-guide-sheet")
    context.close()


def test_key_pages_have_no_serious_accessibility_violations(stack, indexed, browser, axe_report):
    page = open_page(browser, 1280)
    item_id = None
    for name, path in [
        ("home", "/"),
        ("results", "/search?q=%E9%A9%BE%E7%85%A7%E8%A1%A5%E5%8A%9E"),
        ("item", None),
        ("guide sheet", None),
        ("consult form", "/interaction/consult"),
        ("track form", "/interaction/track"),
        ("department", "/departments"),
        ("wap item", None),
        ("wap consult form", "/m/consult"),
    ]:
        if path is None:
            path = {"item": f"/items/{item_id}", "guide sheet": f"/items/{item_id}/print"}.get(
                name, f"/m/items/{item_id}"
            )
        page.goto(stack.gateway_url + path)
        if name == "results":
            item_id = page.locator(".hit h3 a").first.get_attribute("href").rsplit("=", 1)[1]
        check_accessibility(page, name, axe_report)
    page.close()


def test_the_consult_form_shows_the_services_message_next_to_the_field(stack, browser, axe_report):
    page = open_page(browser, 1280)
    page.goto(stack.gateway_url + "/interaction/consult")
    page.fill("#title", " ")
    page.fill("#content", "我想咨询居住证办理需要哪些材料")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#title-error")).to_contain_text("标题不能为空")
    expect(page.locator("#content")).to_have_value("我想咨询居住证办理需要哪些材料")
    check_accessibility(page, "consult form with an error", axe_report)
    shoot(page, "desktop-1280-consult-error")
    page.close()


HOSTILE = "<script>alert(1)</script><b>粗体</b><img src=x onerror=alert(2)>"


def published_feedback_about_a_new_item(stack, admin_token: str) -> int:
    """A new item with a consultation answered and published as Q&A, a rated comment and a moderated experience,
    every text of them hostile markup; the item's id."""
    with httpx.Client(base_url=stack.gateway_url, headers=bearer(admin_token)) as office:
        department_id = office.get("/api/v1/departments").json()["items"][0]["id"]
        guide = {"code": f"XSS-{uuid.uuid4().hex[:8]}", "name": "脚本测试事项", "section": "办事服务",
                 "department_id": department_id, "fees": "不收费", "status": "published"}  # fmt: skip
        item_id = office.post("/api/v1/admin/items", json=guide).json()["id"]
        resident = {"X-Forwarded-For": "198.18.250.1"}
        question = {"kind": "consultation", "subject": HOSTILE, "body": HOSTILE, "item_id": item_id, "public": True}
        number = office.post("/api/v1/tickets", json=question, headers=resident).json()["ticket_no"]
        for action, note in (("accept", ""), ("answer", HOSTILE), ("publish", "")):
            step = office.post(f"/api/v1/admin/tickets/{number}/transitions", json={"action": action, "note": note})
            assert step.status_code == 200, step.text
        rating = {"target": "item", "item_id": item_id, "level": "satisfied", "comment": HOSTILE}
        assert office.post("/api/v1/ratings", json=rating, headers=resident).status_code == 201
        story = {"title": HOSTILE, "body": HOSTILE, "item_id": item_id}
        post = office.post("/api/v1/experiences", json=story, headers=resident).json()
        moderated = office.post(f"/api/v1/admin/experiences/{post['id']}/moderation", json={"decision": "publish"})
        assert moderated.status_code == 200, moderated.text
    return item_id


def test_residents_markup_is_shown_as_text_and_never_runs(stack, indexed, browser, admin_token):
    item_id = published_feedback_about_a_new_item(stack, admin_token)
    api = httpx.get(f"{stack.gateway_url}/api/v1/items/{item_id}/questions").json()["items"][0]
    assert api["subject"] == api["body"] == api["answer"] == HOSTILE
    assert httpx.get(f"{stack.gateway_url}/api/v1/items/{item_id}/ratings").json()["comments"][0]["comment"] == HOSTILE
    assert (
        httpx.get(f"{stack.gateway_url}/api/v1/experiences", params={"item_id": item_id}).json()["items"][0]["body"]
        == HOSTILE
    )
    dialogs: list[str] = []
    pages = (
        ("item", f"/items/{item_id}", 4, 1280),
        ("wap-item", f"/m/items/{item_id}", 4, 360),
        ("home", "/", 2, 1280),
    )
    for name, path, count, width in pages:  # Q&A (question, details, answer) and a rating comment; a story
        page = open_page(browser, width)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(stack.gateway_url + path, wait_until="load")
        page.wait_for_timeout(300)  # room for an onerror handler to fire, were one ever parsed
        assert page.locator("img[src='x'], main b, body > b").count() == 0, name
        assert page.locator("body").inner_text().count(HOSTILE) >= count, name
        shoot(page, f"xss-{name}")
        page.close()
    assert dialogs == []


def test_feedback_pages_have_no_serious_accessibility_violations(stack, indexed, browser, axe_report, admin_token):
    with httpx.Client(base_url=stack.gateway_url) as resident:
        item_id = resident.get("/api/v1/items", params={"size": 1}).json()["items"][0]["id"]
        ticket = {"kind": "consultation", "subject": "居住证", "body": "办理需要几天？"}
        created = resident.post("/api/v1/tickets", json=ticket, headers={"X-Forwarded-For": "198.18.250.2"}).json()
    page = open_page(browser, 1280)
    for name, path in (
        ("tracking page", f"/tickets/{created['ticket_no']}?code={created['query_code']}"),
        ("rating form", f"/interaction/rate?item_id={item_id}"),
        ("experience form", "/interaction/share"),
        ("experiences", "/interaction/experiences"),
        ("department scores", "/interaction/scores"),
        ("wap tracking page", f"/m/tickets/{created['ticket_no']}?code={created['query_code']}"),
        ("wap rating form", f"/m/rate?item_id={item_id}"),
    ):
        page.goto(stack.gateway_url + path)
        check_accessibility(page, name, axe_report)
        shoot(page, "feedback-" + name.replace(" ", "-"))
    page.goto(f"{stack.gateway_url}/interaction/rate?item_id={item_id}")
    page.get_by_label("非常满意").check()
    page.evaluate("document.querySelector('#rate-comment').removeAttribute('maxlength')")  # as a script could
    page.get_by_label("评价内容").fill("长" * 501)
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#comment-error")).to_be_visible()
    check_accessibility(page, "rating form with an error", axe_report)
    shoot(page, "feedback-rating-form-error")
    page.close()
