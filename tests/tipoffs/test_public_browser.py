"""The public tip-off pages in a real browser on a phone-sized screen (390 × 844), JavaScript off:
file a tip-off, read the receipt, open the case with it. Self-contained (its own live server and
Chromium); skipped with a reason when Chromium or Playwright is missing."""

import os
import re
import shutil

import pytest

CHROMIUM = os.environ.get("WORKSAFE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(live_server, org):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        ctx = browser.new_context(
            viewport={"width": 390, "height": 844}, java_script_enabled=False, is_mobile=True, locale="zh-CN"
        )
        pg = ctx.new_page()
        requests = []
        pg.on("request", lambda r: requests.append(r.url))
        pg.base = live_server.url
        pg.requests = requests
        yield pg
        browser.close()


def test_file_and_follow_on_a_phone_without_javascript(page):
    page.goto(page.base + "/accounts/login/")
    page.get_by_role("link", name=re.compile("举报")).first.click()
    assert "/tipoffs/public/" in page.url
    page.select_option("#id_category", "major_hazard")
    page.fill("#id_enterprise_name", "某化工厂")
    page.fill("#id_description", "罐区报警器被关闭,夜间有人动火作业。")
    page.get_by_role("button", name="提交举报").click()
    receipt = page.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt)
    page.get_by_role("link", name="查询办理情况").click()
    page.fill("#id_receipt", receipt)
    page.get_by_role("button", name="查询").click()
    assert page.locator("#state").inner_text() == "待受理"
    assert "已收到举报" in page.content()
    # a wrong code: the neutral answer
    page.goto(page.base + "/tipoffs/public/track/")
    page.fill("#id_receipt", "0000 0000 0000 0000")
    page.get_by_role("button", name="查询").click()
    assert "未找到与该回执码对应的举报" in page.content()
    # no third-party request, ever
    assert page.requests and all(u.startswith(page.base) for u in page.requests), page.requests


def test_public_pages_fit_a_phone_screen(page):
    for path in ("/tipoffs/public/", "/tipoffs/public/track/"):
        page.goto(page.base + path)
        width = page.locator("body").bounding_box()["width"]
        assert width <= 390
        box = page.locator("form button[type=submit]").last.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
