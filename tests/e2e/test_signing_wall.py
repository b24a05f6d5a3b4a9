"""Cloud signing in real browsers: an agreement goes from an accepted invitation to both
signatures, and the organiser's signing wall shows it the moment the second side signs.

The demo data has no event, so the agreement shows on the platform-wide wall (/wall).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

FIRM = "firm@demo.example.cn"
SME = "sme@demo.example.cn"
ORGANISER = "organiser@demo.example.cn"
FIRM_NAME = "上海澜芯集成电路制造股份有限公司"  # ent-l-001
SME_NAME = "上海翎澄检验检测科技有限公司"  # ent-s-0001
NEED = "need-001"  # one of ent-l-001's open needs
NEED_TITLE = "12英寸晶圆厂电子特气本地化供应"
PROFILE = "prof-0001"  # ent-s-0001's profile; 徐汇区 narrows the list to its page
DEMO_PASSWORD = "Demo-2026-matchmaker"


@pytest.fixture
def other_page(browser: Any, live_server: str) -> Any:
    contexts = []

    def open_page() -> Any:
        context = browser.new_context(locale="zh-CN", base_url=live_server,
                                      viewport={"width": 1280, "height": 900})  # fmt: skip
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _invite(page: Any, expect: Any) -> None:
    page.goto(f"/needs/{NEED}/candidates?district=徐汇区&certification=&min_score=0")
    card = page.locator(f"#c-{PROFILE}")
    card.locator("summary", has_text="邀请洽谈").click()
    card.get_by_label("致中小企业的留言").fill("期待与贵司签订电子特气配送合作协议。")
    card.get_by_role("button", name="发送邀请").click()
    expect(page.get_by_role("status").first).to_contain_text("邀请已发送")


def _accept(page: Any, expect: Any) -> None:
    page.goto("/my/introductions")
    row = page.locator("li.card").filter(has_text=NEED_TITLE)
    row.get_by_role("button", name="接受并交换联系方式").click()
    expect(page.get_by_role("status").first).to_contain_text("已接受")


def _draft(page: Any, expect: Any) -> str:
    page.goto("/agreements")
    ready = page.get_by_role("region", name="可起草协议")
    ready.get_by_role("link", name=re.compile(f"起草协议.*{NEED_TITLE}")).click()
    expect(page.get_by_label(re.compile("^协议标的"))).to_have_value(NEED_TITLE)
    page.get_by_label(re.compile("^合作类型")).select_option("supply")
    page.get_by_label(re.compile("^金额")).fill("880")
    page.get_by_label(re.compile("^期限")).fill("2027-01-01 至 2029-12-31")
    page.get_by_label(re.compile("^主要条款")).fill("乙方保障NF3月供量\n气瓶全程追溯")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEED_TITLE)
    match = re.search(r"/agreements/([^/?#]+)$", page.url)
    assert match, page.url
    return f"/agreements/{match.group(1)}"


def _approve(page: Any, expect: Any, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="确认第 1 版").click()
    expect(page.get_by_role("status").first).to_contain_text("确认")


def _sign(page: Any, expect: Any, url: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(url)
    page.get_by_label(re.compile("^您的密码")).fill(password)
    page.get_by_role("button", name="签署协议").click()


def test_a_signing_appears_on_the_organisers_wall(
    page: Any, other_page: Any, expect: Any, login: Any, assert_accessible: Any, screenshot: Any
) -> None:
    firm, sme, organiser = page, other_page(), other_page()
    login(firm, FIRM, next="/dashboard")
    login(sme, SME, next="/dashboard")
    login(organiser, ORGANISER, next="/dashboard")

    _invite(firm, expect)
    _accept(sme, expect)
    url = _draft(sme, expect)
    _approve(sme, expect, url)
    _approve(firm, expect, url)
    code = sme.locator(".code").first.text_content()
    assert code and re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code), code

    organiser.goto("/wall")
    expect(organiser.locator("#wall-status")).to_have_text("实时")
    assert_accessible(organiser, "signing wall")

    _sign(firm, expect, url, password="not-the-password-1")
    expect(firm.get_by_role("alert")).to_contain_text("密码不正确")
    _sign(firm, expect, url)
    expect(firm.get_by_role("status").first).to_contain_text("等待对方签署")
    assert_accessible(firm, "agreement page")
    screenshot(firm, "agreement-signed-by-one-side")
    expect(organiser.locator(f'#wall-list li[data-code="{code}"]')).to_have_count(0)

    _sign(sme, expect, url)
    expect(sme.get_by_role("status").first).to_contain_text("双方均已签署")
    card = organiser.locator(f'#wall-list li[data-code="{code}"]')
    expect(card).to_be_visible(timeout=5_000)
    expect(card).to_contain_text(FIRM_NAME)
    expect(card).to_contain_text(SME_NAME)
    expect(card).to_contain_text("880 万元")
    screenshot(organiser, "signing-wall")

    verify = other_page()
    verify.goto(f"/verify/{code}")
    expect(verify.locator(".verdict--ok")).to_be_visible()
