"""Take the README's screenshots from a running demo server (`make run`) with Debian's Chromium.

Usage: python docs/screenshots.py [BASE_URL]   (default http://127.0.0.1:8000)
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

PASSWORD = "Demo-2026-matchmaker"  # noqa: S105 - the public demo password
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = [
    ("firm", "/needs/need-003/candidates", "candidates"),
    ("firm", "/dashboard", "firm-dashboard"),
    ("sme", "/recommendations", "recommendations"),
    ("anon", "/needs?chain=ic", "search"),
    ("organiser", "/admin/needs", "admin-needs"),
    ("sme", "/profiles/prof-0001/edit", "profile-edit"),
]
OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        pages: dict[str, Page] = {}
        for who, url, name in SHOTS:
            if who not in pages:
                page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
                if who != "anon":
                    page.goto(base + "/login")
                    page.fill("#email", f"{who}@demo.example.cn")
                    page.fill("#password", PASSWORD)
                    page.click("main form button[type=submit]")
                    page.wait_for_load_state()
                pages[who] = page
            pages[who].goto(base + url)
            pages[who].screenshot(path=str(OUT / f"{name}.png"))
            print(name, pages[who].title())
        browser.close()


if __name__ == "__main__":
    main()
