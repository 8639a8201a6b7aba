"""The pages in a real browser (Debian's chromium driven by Playwright): search → open a result → guide sheet, on
the desktop site at desktop and phone widths and on the WAP site; Chinese glyphs must render; axe-core finds no
serious or critical WCAG 2.1 AA violation on the key pages. Screenshots go to .local/artifacts/screenshots/."""

import json
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
