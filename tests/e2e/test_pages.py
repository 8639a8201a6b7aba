"""The desktop site, the guide sheet and the WAP site as residents' browsers and phones meet them over HTTP:
every guide field, cache validators, security headers, forms with their CSRF tokens, page weights, degradation
when a service is down, and rate limits."""

import io
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from gateway.config import GatewaySettings
from portal_common.testing import REPO_ROOT, free_port
from tests.e2e.conftest import bearer, second_gateway
from tests.e2e.test_end_to_end import gateway_search

ARTIFACTS = REPO_ROOT / ".local" / "artifacts"
WAP_LIMIT = 20 * 1024
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0 Safari/537.36"
GUIDE_FIELDS = (
    "所属部门", "受理单位", "办理机构", "承办人员", "联系电话", "乘车路线", "单位地图", "受理条件", "申请材料",
    "办理流程", "法定时限", "承诺时限", "收费标准", "设定依据", "办理时间", "网上办理", "到现场次数", "常见问题",
    "打印明白纸",
)  # fmt: skip


def csrf_of(page: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture(scope="module")
def licence_item(stack, indexed) -> dict:
    return httpx.get(f"{stack.gateway_url}/api/v1/items/{gateway_search(stack, '驾照补办')['items'][0]['id']}").json()


@pytest.fixture(scope="module")
def published_items(stack) -> list[dict]:
    items, cursor = [], ""
    while True:
        page = httpx.get(f"{stack.gateway_url}/api/v1/items", params={"size": 100, "cursor": cursor}).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def test_home_offers_the_sections_search_and_every_way_to_browse(stack):
    page = httpx.get(f"{stack.gateway_url}/")
    assert page.status_code == 200
    for text in ("办事服务", "便民查询", "信息公开", "政民互动", "机构编制", "热门服务", "按人生事件", "按部门浏览"):
        assert text in page.text
    assert "/browse?audience=%E4%B8%AA%E4%BA%BA" in page.text and "/browse?audience=%E6%B3%95%E4%BA%BA" in page.text
    assert "data-suggest" in page.text and '<script src="/static/suggest.js"' in page.text
    script = httpx.get(f"{stack.gateway_url}/static/suggest.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_section_and_department_pages_list_items_page_by_page(stack, published_items):
    for path in ("/services", "/lookups", "/disclosure", "/interaction", "/departments"):
        assert httpx.get(f"{stack.gateway_url}{path}").status_code == 200, path
    department = max(
        httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"], key=lambda d: d["item_count"]
    )
    page = httpx.get(f"{stack.gateway_url}/departments/{department['id']}")
    for text in ("主要职能", "内设机构", "编制数", "联系电话", f"办理事项（{department['item_count']} 项）"):
        assert text in page.text
    browse = httpx.get(f"{stack.gateway_url}/browse", params={"life_event": "婚姻"})
    assert browse.status_code == 200 and "人生事件：婚姻" in browse.text


def test_the_item_page_lists_every_guide_field(stack, licence_item):
    page = httpx.get(f"{stack.gateway_url}/items/{licence_item['id']}")
    assert page.status_code == 200
    missing = [label for label in GUIDE_FIELDS if label not in page.text]
    assert not missing, missing
    assert licence_item["title"] in page.text and licence_item["fees"] in page.text
    assert f"{licence_item['longitude']}" in page.text.replace("%2C", ",")  # the map link carries the place
    assert f'href="/items/{licence_item["id"]}/print"' in page.text


def test_public_pages_carry_validators_and_answer_304(stack, licence_item):
    url = f"{stack.gateway_url}/items/{licence_item['id']}"
    first = httpx.get(url)
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert first.headers["etag"] and first.headers["last-modified"]
    assert f"item-{licence_item['id']}" in first.headers["surrogate-key"]
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    for path in ("/", "/departments", f"/m/items/{licence_item['id']}", f"/items/{licence_item['id']}/print"):
        response = httpx.get(f"{stack.gateway_url}{path}")
        assert response.headers.get("etag") and "public" in response.headers["cache-control"], path


def test_a_published_change_refreshes_the_cached_item_page(stack, admin_token):
    department_id = httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"][0]["id"]
    guide = {
        "code": f"PAGE-{uuid.uuid4().hex[:8]}",
        "name": f"缓存测试事项{uuid.uuid4().hex[:4]}",
        "section": "办事服务",
        "department_id": department_id,
        "fees": "不收费",
        "status": "published",
    }
    admin = bearer(admin_token)
    created = httpx.post(f"{stack.gateway_url}/api/v1/admin/items", json=guide, headers=admin).json()
    url = f"{stack.gateway_url}/items/{created['id']}"
    before = httpx.get(url)
    changed = {**guide, "fees": "工本费20元", "version": created["version"]}
    assert httpx.put(f"{stack.gateway_url}/api/v1/admin/items/{created['id']}", json=changed, headers=admin).is_success
    after = httpx.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and "工本费20元" in after.text
    assert after.headers["etag"] != before.headers["etag"]


def test_security_headers_on_pages_and_api(stack, licence_item):
    for path in ("/", "/m/", f"/items/{licence_item['id']}/print", "/api/v1/departments", "/interaction/consult"):
        headers = httpx.get(f"{stack.gateway_url}{path}").headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_what_people_type_is_escaped_everywhere(stack):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    for path in ("/search", "/m/search"):
        page = httpx.get(f"{stack.gateway_url}{path}", params={"q": hostile})
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;" in page.text


def test_bodies_over_the_limit_get_413_in_json(stack):
    ticket = {"kind": "consultation", "title": "太长", "content": "长" * 200_000}
    response = httpx.post(f"{stack.gateway_url}/api/v1/tickets", json=ticket)
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_resident_forms_refuse_posts_without_their_token(stack):
    form = {"kind": "consultation", "title": "无令牌", "content": "内容"}
    assert httpx.post(f"{stack.gateway_url}/interaction/consult", data=form).status_code == 403
    with httpx.Client(base_url=stack.gateway_url) as browser:
        token = csrf_of(browser.get("/interaction/consult"))
        forged = browser.post("/interaction/consult", data={**form, "csrf_token": token + "x"})
        assert forged.status_code == 403
        cross_site = browser.post(
            "/interaction/consult", data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert cross_site.status_code == 403


@pytest.mark.parametrize("prefix", ["/interaction", "/m"])
def test_a_resident_consults_then_tracks_the_ticket(stack, licence_item, prefix):
    consult, track = ("/interaction/consult", "/interaction/track") if prefix != "/m" else ("/m/consult", "/m/track")
    with httpx.Client(base_url=stack.gateway_url) as browser:
        form_page = browser.get(consult, params={"item_id": licence_item["id"]})
        assert licence_item["title"] in form_page.text and form_page.headers["cache-control"] == "private, no-store"
        fields = {"kind": "consultation", "item_id": str(licence_item["id"]), "csrf_token": csrf_of(form_page)}
        refused = browser.post(consult, data={**fields, "title": "", "content": "我的驾照丢了"})
        assert refused.status_code == 400 and "标题不能为空" in refused.text and "我的驾照丢了" in refused.text
        done = browser.post(consult, data={**fields, "title": "驾照丢了怎么补", "content": "<b>异地</b>可以补吗？"})
        assert done.status_code == 201, done.text
        number = re.search(r"(\d{14})", done.text).group(1)
        code = re.search(r"查询码：<strong[^>]*>([0-9A-Z]{6})<", done.text).group(1)
        fields = {"number": number, "code": code, "csrf_token": csrf_of(browser.get(track))}
        tracked = browser.post(track, data=fields, follow_redirects=True)
        assert tracked.status_code == 200 and "驾照丢了怎么补" in tracked.text and "已提交" in tracked.text
        assert tracked.url.path == f"{prefix.removesuffix('/interaction')}/tickets/{number}"
        assert "&lt;b&gt;异地&lt;/b&gt;" in tracked.text
        wrong = browser.post(track, data={**fields, "code": "AAAAAA"}, follow_redirects=True)
        assert wrong.status_code == 404 and "没有找到" in wrong.text


def test_wap_pages_weigh_under_20_kb_on_real_items(stack, published_items, licence_item):
    biggest = max(published_items, key=lambda item: len(str(item)))
    department = max(
        httpx.get(f"{stack.gateway_url}/api/v1/departments").json()["items"], key=lambda d: d["item_count"]
    )
    pages = {
        "home": "/m/",
        "search 驾照": "/m/search?q=%E9%A9%BE%E7%85%A7",
        f"item {licence_item['id']}": f"/m/items/{licence_item['id']}",
        f"biggest item {biggest['id']}": f"/m/items/{biggest['id']}",
        f"guide sheet {biggest['id']}": f"/m/items/{biggest['id']}/print",
        "departments": "/m/departments",
        f"department {department['id']} ({department['item_count']} items)": f"/m/departments/{department['id']}",
        "consult": "/m/consult",
        "track": "/m/track",
        "rate": f"/m/rate?item_id={licence_item['id']}",
        "share": "/m/share",
        "experiences": "/m/experiences",
    }
    weights = {name: len(httpx.get(f"{stack.gateway_url}{path}").content) for name, path in pages.items()}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = "\n".join(f"{w:6d} bytes  {name}" for name, w in weights.items())
    (ARTIFACTS / "wap-page-weights.txt").write_text(report + "\n")
    print("\nWAP page weights:\n" + report)
    assert all(0 < w < WAP_LIMIT for w in weights.values()), weights


def test_wap_pages_are_xhtml_mobile_profile_without_script_or_images(stack, licence_item):
    accept = {"Accept": "application/vnd.wap.xhtml+xml, text/html;q=0.5"}
    paths = ("/m/", "/m/search?q=%E9%A9%BE%E7%85%A7", f"/m/items/{licence_item['id']}", "/m/consult", "/m/share",
             f"/m/rate?item_id={licence_item['id']}", "/m/experiences", "/m/tickets/1?code=X")  # fmt: skip
    for path in paths:
        response = httpx.get(f"{stack.gateway_url}{path}", headers=accept)
        assert response.headers["content-type"].startswith("application/vnd.wap.xhtml+xml"), path
        root = ET.fromstring(response.content)  # well-formed XML or it raises
        assert root.tag == "{http://www.w3.org/1999/xhtml}html"
        assert "<script" not in response.text and "<img" not in response.text
    plain = httpx.get(f"{stack.gateway_url}/m/")
    assert plain.headers["content-type"].startswith("text/html") and "Accept" in plain.headers["vary"]


def test_the_wap_host_serves_the_wap_site_at_its_root(stack, licence_item):
    host = {"Host": "wap.portal.example"}
    home = httpx.get(f"{stack.gateway_url}/", headers=host)
    assert "XHTML Mobile" in home.text and 'href="/search"' in home.text
    item = httpx.get(f"{stack.gateway_url}/items/{licence_item['id']}", headers=host)
    assert item.status_code == 200 and "XHTML Mobile" in item.text
    assert f'href="//portal.example/items/{licence_item["id"]}"' in item.text  # 电脑版 on the main host


def test_phones_are_offered_the_wap_site_and_can_go_back(stack, licence_item):
    url = f"{stack.gateway_url}/items/{licence_item['id']}"
    on_phone = httpx.get(url, headers={"User-Agent": IPHONE}, follow_redirects=False)
    assert on_phone.status_code == 200 and f'href="/m/items/{licence_item["id"]}"' in on_phone.text
    assert "手机版" in on_phone.text and "User-Agent" in on_phone.headers["vary"]
    assert "您在用手机访问" not in httpx.get(url, headers={"User-Agent": DESKTOP}).text
    wap = httpx.get(f"{stack.gateway_url}/m/items/{licence_item['id']}", headers={"User-Agent": IPHONE})
    assert wap.status_code == 200 and f'href="/items/{licence_item["id"]}">电脑版' in wap.text


def test_the_guide_sheet_pdf_embeds_its_chinese_fonts(stack, licence_item):
    response = httpx.get(f"{stack.gateway_url}/items/{licence_item['id']}/print.pdf", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "guide-sheet.pdf").write_bytes(response.content)
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1  # a typical item fits one A4 page
    fonts = [font.get_object() for font in pdf.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
            "/FontDescriptor"
        ].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    text = pdf.pages[0].extract_text()
    assert licence_item["title"] in text and "请带齐以下材料" in text


def test_the_guide_sheet_leads_back_to_the_item(stack, licence_item):
    sheet = httpx.get(f"{stack.gateway_url}/items/{licence_item['id']}/print")
    assert sheet.status_code == 200 and "<svg" in sheet.text and "扫码查看最新指南" in sheet.text
    assert f"{stack.gateway_url}/items/{licence_item['id']}" in sheet.text
    assert '<link rel="stylesheet" href="/static/print.css">' in sheet.text


def test_search_down_leaves_browsing_by_department_working(stack):
    url = second_gateway(stack, "gateway-no-search", GATEWAY_SEARCH_ADDRESS=f"127.0.0.1:{free_port()}")
    page = httpx.get(f"{url}/search", params={"q": "驾照"})
    assert page.status_code == 503 and "搜索服务暂时不可用" in page.text and "按部门浏览" in page.text
    department_link = re.search(r'href="(/departments/\d+)"', page.text).group(1)
    assert httpx.get(f"{url}{department_link}").status_code == 200
    assert httpx.get(f"{url}/").status_code == 200  # popular services fall back to plain search links
    assert "搜索暂时不可用" in httpx.get(f"{url}/m/search", params={"q": "驾照"}).text


def test_feedback_down_keeps_what_the_resident_typed(stack):
    url = second_gateway(stack, "gateway-no-feedback", GATEWAY_FEEDBACK_ADDRESS=f"127.0.0.1:{free_port()}")
    with httpx.Client(base_url=url) as browser:
        token = csrf_of(browser.get("/interaction/consult"))
        typed = {"kind": "complaint", "title": "窗口排队太久", "content": "上午等了两个小时", "csrf_token": token}
        page = browser.post("/interaction/consult", data=typed)
    assert page.status_code == 503 and "留言服务暂时不可用" in page.text
    assert "窗口排队太久" in page.text and "上午等了两个小时" in page.text


def test_rate_limits_spare_a_busy_person_and_stop_a_flood(stack):
    defaults = GatewaySettings.model_fields
    limits = {f"GATEWAY_{name.upper()}": str(defaults[name].default) for name in defaults if name.endswith("_burst")}
    url = second_gateway(stack, "gateway-default-limits", **limits)

    def search(client_ip: str) -> httpx.Response:
        return httpx.get(f"{url}/api/v1/search", params={"q": "驾照"}, headers={"X-Forwarded-For": client_ip})

    assert all(search("198.51.100.7").status_code == 200 for _ in range(30))  # a resident trying many words
    flood = [search("203.0.113.9") for _ in range(100)]
    refused = [r for r in flood if r.status_code == 429]
    assert refused and refused[0].json()["code"] == "rate_limited" and int(refused[0].headers["retry-after"]) >= 1
    assert search("198.51.100.8").status_code == 200  # someone else is not affected
    ticket = {"kind": "suggestion", "subject": "建议", "body": "多开窗口"}
    headers = {"X-Forwarded-For": "198.51.100.9"}
    assert all(httpx.post(f"{url}/api/v1/tickets", json=ticket, headers=headers).status_code == 201 for _ in range(3))


def test_artifacts_folder_is_ignored_by_git():
    assert ".local/" in Path(REPO_ROOT / ".gitignore").read_text()
