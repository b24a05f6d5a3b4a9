"""Browser end-to-end harness: Playwright (Python) driving a headless Chromium from Debian.

Every test in tests/e2e is marked ``e2e`` (deselect with ``-m "not e2e"``).

Requirements and what happens without them:

- Chromium: ``$MATCHMAKER_CHROMIUM`` when set (a path or a command name; set but missing
  counts as not found), else ``/usr/bin/chromium``, else ``chromium`` on PATH
  (``apt-get install chromium``). Playwright's own browser downloads are never used.
- The ``playwright`` Python package (the ``test`` extra: ``pip install -e '.[test]'``).
- axe-core at ``node_modules/axe-core/axe.min.js`` (installed by ``npm ci`` from
  package.json), for ``assert_accessible`` only; without it that helper fails.

Without Chromium or playwright the e2e tests are skipped with the reason shown, unless
``MATCHMAKER_REQUIRE_SERVICES=1`` (CI sets it in ``.ci/run``): then they fail.

Fixtures:

``chromium_executable -> str`` (session)
    Path of the Chromium binary; skips or fails as above when there is none.
``live_server -> str`` (session)
    Base URL (``http://127.0.0.1:<port>``) of ``python -m matchmaker serve`` running on a
    scratch data dir (``MATCHMAKER_DATA_DIR``; every other inherited ``MATCHMAKER_*``
    variable is dropped) loaded with ``fixtures/demo``. Waits up to 60 s for ``GET /``,
    showing the server's output if it does not come up; terminated at the end.
``browser -> playwright.sync_api.Browser`` (session)
    Headless Chromium.
``page -> playwright.sync_api.Page`` (function)
    A page in a fresh context (locale zh-CN, viewport 1280x900, ``base_url`` = the live
    server, so ``page.goto("/login")`` works). Closed after the test; when the test fails a
    full-page screenshot goes to ``var/screenshots/failures/``.
``expect -> playwright.sync_api.expect``
    Playwright's auto-waiting assertions, given as a fixture so that test modules never
    import playwright themselves (they must still collect when it is not installed).
``login -> (page, email, password=DEMO_PASSWORD, *, next="/", expect_success=True) -> Response``
    Logs in through the /login form (``/login?next=...``, so the landing page is explicit)
    and returns the response to the form's POST (303 on success, 401 on bad credentials).
    With ``expect_success`` it checks the 303 and waits until the header shows the logout
    button. Demo users and their display names are in ``fixtures/demo/users.jsonl``.
``assert_accessible -> (page, name) -> None``
    Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now and fails
    listing every serious or critical violation (rule id, help, first target selectors).
``screenshot -> (page, name) -> Path``
    Saves a full-page PNG to ``var/screenshots/<name>.png`` and returns its path.

Run them: ``.venv/bin/python -m pytest tests/e2e`` (or ``make test``, which runs everything).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tools import unavailable as _unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
DEMO_FIXTURES = ROOT / "fixtures" / "demo"
DEMO_PASSWORD = "Demo-2026-matchmaker"  # demo data only (README, fixtures/demo/users.jsonl)
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_BLOCKING = ("serious", "critical")

SERVER_START_TIMEOUT = 60.0
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The network is closed: without these Chromium keeps trying to phone home and stalls.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- marking and requirements ---------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the item so the page fixture knows whether the test failed.
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def find_chromium() -> str | None:
    """``$MATCHMAKER_CHROMIUM`` (only it, when set), else /usr/bin/chromium, else PATH."""
    configured = os.environ.get("MATCHMAKER_CHROMIUM", "").strip()
    if configured:
        return shutil.which(configured)
    return shutil.which("/usr/bin/chromium") or shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    executable = find_chromium()
    if executable is None:
        configured = os.environ.get("MATCHMAKER_CHROMIUM", "").strip()
        where = f" (MATCHMAKER_CHROMIUM={configured} does not exist)" if configured else ""
        _unavailable(
            f"Chromium not found{where}: browser tests skipped "
            "(apt-get install chromium to run them)",
            f"Chromium is required under MATCHMAKER_REQUIRE_SERVICES=1{where}: "
            "apt-get install chromium",
        )
    assert executable is not None
    return executable


# --- the application under test --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 80) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def _server_env(data_dir: Path) -> dict[str, str]:
    # Drop inherited MATCHMAKER_* settings (a DATABASE_URL would point at someone's real data).
    env = {key: value for key, value in os.environ.items() if not key.startswith("MATCHMAKER_")}
    env["MATCHMAKER_DATA_DIR"] = str(data_dir)
    # Every browser test signs in from 127.0.0.1, often as the same demo user.
    env["MATCHMAKER_LOGIN_LIMIT"] = env["MATCHMAKER_LOGIN_IP_LIMIT"] = "100000"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    scratch = tmp_path_factory.mktemp("live-server")
    data_dir = scratch / "data"
    env = _server_env(data_dir)
    command = [sys.executable, "-m", "matchmaker"]

    loaded = subprocess.run(
        [*command, "fixtures", "load", str(DEMO_FIXTURES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if loaded.returncode != 0:
        pytest.fail(
            f"`matchmaker fixtures load {DEMO_FIXTURES}` exited with {loaded.returncode}:\n"
            f"{loaded.stdout}\n{loaded.stderr}",
            pytrace=False,
        )

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = scratch / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(server, base_url, log_path)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_up(server: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no attempt yet"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"`matchmaker serve` exited with {server.returncode} before answering.\n"
                f"Server output:\n{_tail(log_path)}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"HTTP {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.2)
    pytest.fail(
        f"`matchmaker serve` did not answer GET {base_url}/ within {SERVER_START_TIMEOUT:.0f} s "
        f"(last: {last_error}).\nServer output:\n{_tail(log_path)}",
        pytrace=False,
    )


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "playwright (Python package) not installed: browser tests skipped "
            "(pip install -e '.[test]' to run them)",
            "playwright is required under MATCHMAKER_REQUIRE_SERVICES=1: pip install -e '.[test]'",
        )
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as error:
            pytest.fail(f"Chromium at {chromium_executable} did not start: {error}", pytrace=False)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server
    )
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    try:
        yield new_page
        reports = request.node.stash.get(_REPORTS, {})
        if "call" in reports and reports["call"].failed and not new_page.is_closed():
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
            _save_screenshot(new_page, SCREENSHOTS / "failures" / f"{name}.png")
    finally:
        context.close()


@pytest.fixture
def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


# --- helpers ----------------------------------------------------------------------------------


# Portal text is Chinese first with an English catalogue; locators accept either, so that a
# missing translation fails on its own test rather than on every browser test.
EMAIL_LABEL = re.compile("邮箱|Email")
PASSWORD_LABEL = re.compile("密码|Password")
LOGIN_NAME = re.compile("登录|Log in")
LOGOUT_NAME = re.compile("退出|Log out")


@pytest.fixture
def login(expect: Any) -> Callable[..., Response]:
    def log_in(
        page: Page,
        email: str,
        password: str = DEMO_PASSWORD,
        *,
        next: str = "/",
        expect_success: bool = True,
    ) -> Response:
        page.goto("/login?" + urllib.parse.urlencode({"next": next}))
        form = page.get_by_role("main")
        form.get_by_label(EMAIL_LABEL).fill(email)
        form.get_by_label(PASSWORD_LABEL).fill(password)

        def is_login_post(response: Response) -> bool:
            return (
                response.request.method == "POST"
                and urllib.parse.urlsplit(response.url).path == "/login"
            )

        with page.expect_response(is_login_post) as posted:
            form.get_by_role("button", name=LOGIN_NAME).click()
        response = posted.value
        page.wait_for_load_state()
        if expect_success:
            assert response.status == 303, (
                f"login as {email} answered {response.status}, expected 303 (redirect)"
            )
            logout = page.get_by_role("banner").get_by_role("button", name=LOGOUT_NAME)
            expect(logout).to_be_visible()
        return response

    return log_in


@pytest.fixture
def assert_accessible() -> Callable[[Page, str], None]:
    def check(page: Page, name: str) -> None:
        if not AXE_SCRIPT.is_file():
            pytest.fail(
                f"axe-core is missing ({AXE_SCRIPT.relative_to(ROOT)}): run `make test` "
                "or `npm ci` in the repository root to install it",
                pytrace=False,
            )
        source = AXE_SCRIPT.read_text(encoding="utf-8")
        # Evaluated as a function body through the DevTools protocol: no <script> tag, so a
        # Content-Security-Policy on the page cannot block it.
        page.evaluate("() => {\n" + source + "\n}")
        violations: list[dict[str, Any]] = page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    targets: v.nodes.map((n) => n.target.join(" ")),
                }));
            }""",
            AXE_TAGS,
        )
        blocking = [v for v in violations if v["impact"] in AXE_BLOCKING]
        if blocking:
            lines = [f"axe: {len(blocking)} serious/critical violation(s) on {name} ({page.url}):"]
            for violation in blocking:
                targets = violation["targets"]
                shown = ", ".join(targets[:3]) + (
                    f" … (+{len(targets) - 3})" if len(targets) > 3 else ""
                )
                lines.append(
                    f"- {violation['id']} [{violation['impact']}]: {violation['help']} "
                    f"({violation['helpUrl']})\n    at: {shown}"
                )
            pytest.fail("\n".join(lines), pytrace=False)

    return check


def _save_screenshot(page: Page, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    def save(page: Page, name: str) -> Path:
        return _save_screenshot(page, SCREENSHOTS / f"{name}.png")

    return save
