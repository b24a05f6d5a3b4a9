"""The strict Content-Security-Policy holds in a real browser: the main pages, htmx requests
and the signing wall's Server-Sent Events all work without one policy violation.

Violations are collected twice: the `securitypolicyviolation` DOM event (recorded by an init
script, which Playwright injects outside the page's policy) and Chromium's console errors.
"""

from __future__ import annotations

import re
from typing import Any

FIRM = "firm@demo.example.cn"
SME = "sme@demo.example.cn"
ORGANISER = "organiser@demo.example.cn"
NEED = "need-001"  # one of the firm's open needs in fixtures/demo

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""

PAGES = {
    None: ["/", "/login", "/needs", "/signup", f"/needs/{NEED}", "/verify"],
    FIRM: ["/dashboard", "/my/needs", "/needs/new", f"/needs/{NEED}/candidates", "/events",
           "/agreements", "/inbox", "/account", "/enterprise/edit"],
    SME: ["/dashboard", "/recommendations", "/my/profiles", "/my/introductions"],
    ORGANISER: ["/dashboard", "/admin/needs", "/admin/users", "/events", "/wall"],
}  # fmt: skip


def _watched(browser: Any, live_server: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="zh-CN", base_url=live_server)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return context, page, console


def _violations(page: Any, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__cspViolations || []"), *console]


def test_main_pages_work_without_csp_violations(
    browser: Any, live_server: str, login: Any, expect: Any
) -> None:
    seen: dict[str, list[str]] = {}
    for user, paths in PAGES.items():
        context, page, console = _watched(browser, live_server)
        if user is not None:
            login(page, user, next="/dashboard")
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            if path == "/wall":  # the SSE stream connects under connect-src 'self'
                expect(page.locator("#wall-status")).to_have_text(re.compile("实时|Live"))
            seen[f"{user or 'anonymous'} {path}"] = _violations(page, console)
            console.clear()
        context.close()
    assert {page: found for page, found in seen.items() if found} == {}


def test_htmx_search_updates_results_without_csp_violations(
    browser: Any, live_server: str, expect: Any
) -> None:
    context, page, console = _watched(browser, live_server)
    page.goto("/needs")
    page.wait_for_load_state("networkidle")
    with page.expect_request(lambda request: "hx-request" in request.headers):
        page.locator("form[hx-get] select").first.select_option(index=1)
    page.wait_for_load_state("networkidle")
    # htmx was told not to inject its indicator <style> (web/static/js/app.js).
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.locator("head style").count() == 0
    assert _violations(page, console) == []
    context.close()


def test_inline_script_is_blocked_and_reported(browser: Any, live_server: str) -> None:
    """The policy is enforced and the watcher above would notice a violation."""
    context, page, console = _watched(browser, live_server)
    page.goto("/")
    page.evaluate(
        """() => {
          window.__ran = false;
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is False
    assert any("script-src" in found for found in _violations(page, console))
    context.close()
