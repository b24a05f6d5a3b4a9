"""The portal's main journeys in a real browser, one role after the other.

A firm posts a need (after a first try with errors), shortlists and invites a candidate;
the SME finds the need among its recommendations, accepts, and both sides then see each
other's contacts. Each main page is checked with axe and saved as a screenshot.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

FIRM = "firm@demo.example.cn"
SME = "sme@demo.example.cn"
FIRM_PHONE = "021-58326417"  # ent-l-001 in fixtures/demo/enterprises.jsonl
SME_PROFILE = "prof-0001"  # ent-s-0001's dangerous-goods logistics profile
NEED_TITLE = "晶圆厂电子特气及危化品仓储配送服务外包"


@pytest.fixture
def sme_page(browser: Any, live_server: str) -> Any:
    context = browser.new_context(locale="zh-CN", base_url=live_server)
    yield context.new_page()
    context.close()


def _post_need(page: Any, expect: Any, assert_accessible: Any, screenshot: Any) -> str:
    page.goto("/needs/new")
    page.get_by_label(re.compile("^需求类型")).select_option("service")
    page.get_by_label(re.compile("^预算下限")).fill("300")
    page.get_by_label(re.compile("^预算上限")).fill("100")
    page.get_by_role("button", name="发布", exact=True).click()
    # Bad input: the errors stand next to their fields and nothing is saved.
    expect(page.locator("#f-title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-budget_max")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "need form with errors")
    screenshot(page, "need-form-errors")
    page.get_by_label(re.compile("^标题")).fill(NEED_TITLE)
    page.get_by_label(re.compile("^需求描述")).fill(
        "为临港12英寸晶圆厂寻找危化品仓储与电子特气配送服务商：危险货物道路运输、"
        "甲类仓储、气瓶追溯管理，24小时应急响应。"
    )
    page.get_by_label(re.compile("^预算上限")).fill("600")
    page.get_by_label(re.compile("^地域偏好")).fill("上海")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_role("heading", name=NEED_TITLE)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("需求已发布")
    match = re.search(r"/needs/([^/?#]+)$", page.url)
    assert match, page.url
    return match.group(1)


def test_firm_invites_sme_accepts_and_both_see_contacts(
    page: Any,
    sme_page: Any,
    expect: Any,
    login: Any,
    assert_accessible: Any,
    screenshot: Any,
) -> None:
    login(page, FIRM, next="/dashboard")
    assert_accessible(page, "firm dashboard")
    screenshot(page, "firm-dashboard")
    need_id = _post_need(page, expect, assert_accessible, screenshot)

    page.goto(f"/needs/{need_id}/candidates?certification=&min_score=0")
    card = page.locator(f"#c-{SME_PROFILE}")
    expect(card).to_be_visible()
    expect(card.locator("svg.chain-path")).to_have_count(1)
    assert_accessible(page, "candidate page")
    screenshot(page, "candidates")
    card.get_by_role("button", name=re.compile("^加入短名单")).click()
    expect(page.get_by_role("status").first).to_contain_text("已加入短名单")
    card = page.locator(f"#c-{SME_PROFILE}")
    card.locator("summary", has_text="邀请洽谈").click()
    card.get_by_label("致中小企业的留言").fill("欢迎下周到临港工厂现场交流。")
    card.get_by_role("button", name="发送邀请").click()
    expect(page.get_by_role("status").first).to_contain_text("邀请已发送")
    expect(page.locator(f"#c-{SME_PROFILE} .contact")).to_have_count(0)

    login(sme_page, SME, next="/recommendations")
    expect(sme_page.get_by_role("link", name=NEED_TITLE)).to_be_visible()
    assert_accessible(sme_page, "recommendations")
    screenshot(sme_page, "recommendations")
    sme_page.goto("/inbox")
    expect(sme_page.get_by_text(re.compile("邀请您的能力画像"))).to_be_visible()
    sme_page.goto("/my/introductions")
    sme_page.get_by_role("button", name="接受并交换联系方式").click()
    expect(sme_page.get_by_role("status").first).to_contain_text("已接受")
    sme_page.goto(f"/needs/{need_id}")
    expect(sme_page.get_by_text(FIRM_PHONE)).to_be_visible()

    page.goto(f"/needs/{need_id}/candidates")
    expect(page.locator(f"#c-{SME_PROFILE} .contact")).to_be_visible()


def test_sme_cannot_open_a_firms_edit_page(
    page: Any, expect: Any, login: Any, screenshot: Any
) -> None:
    login(page, SME, next="/dashboard")
    response = page.goto("/needs/need-001/edit")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("403")
    screenshot(page, "forbidden")


def test_language_switch_turns_the_page_english_and_back(
    page: Any, expect: Any, login: Any, assert_accessible: Any
) -> None:
    login(page, FIRM, next="/my/needs")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My needs")
    expect(page.get_by_role("link", name="Post a need").first).to_be_visible()
    assert_accessible(page, "my needs in English")
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的需求")


def test_firm_signs_up_and_an_organiser_confirms_the_account(
    page: Any,
    sme_page: Any,
    expect: Any,
    login: Any,
    assert_accessible: Any,
    screenshot: Any,
) -> None:
    email = "procurement@yuanhang-e2e.example.cn"
    page.goto("/signup")
    page.locator("#f-enterprise_name").fill("上海远航汽车零部件集团有限公司")
    page.locator("#f-size").select_option("large")
    page.locator("#f-district").select_option("嘉定区")
    page.locator("#f-contact_name").fill("刘洋")
    page.locator("#f-contact_phone").fill("021-69990000")
    page.locator("#f-contact_email").fill(email)
    page.locator("#f-display_name").fill("刘洋（采购部）")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill("Yuanhang-2026-e2e")
    page.locator("#f-password_again").fill("Yuanhang-2026-e2e")
    assert_accessible(page, "sign-up form")
    screenshot(page, "signup")
    page.get_by_role("button", name="创建账户").click()
    expect(page).to_have_url(re.compile(r"/signup/waiting"))
    refused = login(page, email, "Yuanhang-2026-e2e", expect_success=False)
    assert refused.status == 401

    login(sme_page, "organiser@demo.example.cn", next="/admin/users?status=waiting")
    row = sme_page.get_by_role("row").filter(has_text=email)
    expect(row).to_have_count(1)
    assert_accessible(sme_page, "account list")
    screenshot(sme_page, "accounts-waiting")
    row.get_by_role("button", name=re.compile("^确认")).click()
    expect(sme_page.get_by_role("row").filter(has_text=email)).to_have_count(0)

    login(page, email, "Yuanhang-2026-e2e", next="/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
