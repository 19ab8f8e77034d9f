"""Browser journeys: a real Chromium driven by Playwright against pytest-django's live server.

Every page opened through these fixtures is watched. At the end of the test it must not have
logged a console error, thrown an uncaught exception, had a request fail, received an
unexpected HTTP error status, or asked for anything from a host other than the loopback
address (there is no network at run time: every asset must be served by the application).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import require_service

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR / "screenshots"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEFAULT_CONTEXT: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
# How long one Playwright action or wait may take before the test fails (milliseconds).
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            # Under pytest-xdist (make test) the journeys share one test process and its browser.
            item.add_marker(pytest.mark.xdist_group("e2e"))


def chromium_path() -> str | None:
    """Debian's Chromium, or the executable named by PMO_E2E_CHROMIUM when that is set."""
    override = os.environ.get("PMO_E2E_CHROMIUM")
    candidates = [override] if override else ["/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@contextmanager
def _orm_beside_playwright() -> Iterator[None]:
    """Let the test body use the ORM while Playwright is running.

    Playwright's sync API marks its asyncio loop as running on the main thread for as long as
    it is started, which makes Django refuse ORM calls from the test body (factories,
    seed_demo, pytest-django's database setup and flush). The calls are synchronous and the
    live server answers from its own thread, so allowing them is safe here.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# One browser for all the journeys. The scope is the tests/e2e package rather than the whole
# session: while Playwright runs, the main thread looks like it is inside an event loop, and
# the tests collected after tests/e2e (tests/pmo, tests/tenancy, ...) must not run that way.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service("playwright", "the Python package 'playwright' is not installed")
        raise  # not reached: require_service skips or fails
    executable = chromium_path()
    if executable is None:
        where = os.environ.get("PMO_E2E_CHROMIUM") or "/usr/bin/chromium or 'chromium' on PATH"
        require_service("Chromium", f"no executable at {where} (apt-get install chromium)")
        raise AssertionError("not reached")
    playwright = sync_playwright().start()
    try:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            require_service("Chromium", f"{executable} did not start: {error.message.splitlines()[0]}")
            raise
        with _orm_beside_playwright():
            yield launched
        launched.close()
    finally:
        playwright.stop()


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome", "chrome-error", "devtools"}:
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


@dataclass
class PageWatch:
    """What went wrong in the browser during one test, and which HTTP errors were expected."""

    problems: list[str] = field(default_factory=list)
    expected: set[tuple[str, int]] = field(default_factory=set)
    external: list[str] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list, repr=False)

    def expect_status(self, path_or_url: str, status: int = 404) -> None:
        """Declare that ``path_or_url`` answering ``status`` is part of the journey."""
        self.expected.add((path_or_url, status))

    def is_expected(self, url: str, status: int) -> bool:
        path = urlsplit(url).path
        return (url, status) in self.expected or (path, status) in self.expected

    def is_expected_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(expected in {url, path} for expected, _status in self.expected)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def route(self, route: Route) -> None:
        url = route.request.url
        if _is_loopback(url):
            route.continue_()
            return
        self.external.append(url)
        self.problems.append(f"request to a non-loopback host: {route.request.method} {url}")
        route.abort("blockedbyclient")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "") if message.location else ""
        if message.text.startswith("Failed to load resource") and location and self.is_expected_url(location):
            return
        if location and not _is_loopback(location):
            return  # reported by the route handler already
        if "ERR_BLOCKED_BY_CLIENT" in message.text:
            return  # a blocked external request, reported by the route handler
        self.problems.append(f"console error: {message.text}" + (f" ({location})" if location else ""))

    def _on_request_failed(self, request: Request) -> None:
        if not _is_loopback(request.url):
            return  # reported by the route handler
        if request.failure == "net::ERR_ABORTED":
            # The browser dropped a load it no longer needed because the page moved on (the
            # favicon of a page left at once). A server fault is an HTTP status or another error.
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _on_response(self, response: Response) -> None:
        self.responses.append((response.url, response.status))
        if response.status >= 400 and not self.is_expected(response.url, response.status):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def assert_clean(self) -> None:
        assert not self.problems, "The browser saw problems:\n  " + "\n  ".join(self.problems)


@pytest.fixture
def page_watch() -> PageWatch:
    return PageWatch()


_SCREENSHOTS = pytest.StashKey[list[Path]]()


def screenshot_name(node_name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", node_name).strip("_")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``screenshot(page)`` saves the page to tests/e2e/screenshots/<test name>.png.

    The whole page by default; ``full_page=False`` for the viewport only (very long pages).
    """
    taken: list[Path] = []
    request.node.stash[_SCREENSHOTS] = taken

    def take(page: Page, suffix: str = "", *, full_page: bool = True) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{screenshot_name(request.node.name)}{suffix}.png"
        page.screenshot(path=str(path), full_page=full_page)
        taken.append(path)
        return path

    return take


@pytest.fixture
def new_page(
    browser: Browser,
    live_server: Any,
    page_watch: PageWatch,
    screenshot: Callable[..., Path],
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)`` opens a watched page in a fresh browser context."""
    contexts = []
    pages: list[Page] = []

    def open_page(**context_options: Any) -> Page:
        options = {**DEFAULT_CONTEXT, "base_url": live_server.url, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", page_watch.route)
        contexts.append(context)
        page = context.new_page()
        page_watch.attach(page)
        pages.append(page)
        return page

    yield open_page

    try:
        if not request.node.stash.get(_SCREENSHOTS, []):
            for index, page in enumerate(pages):
                if not page.is_closed():
                    screenshot(page, "" if index == 0 else f"-{index + 1}")
    finally:
        for context in contexts:
            context.close()
    page_watch.assert_clean()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A watched desktop-sized page; relative URLs go to the live server."""
    return new_page()


def login(page: Page, username: str, password: str) -> Response | None:
    """Fill and send the sign-in form at /accounts/login/; return the response to the POST."""
    page.goto("/accounts/login/")
    form = page.locator("main form").filter(has=page.locator('input[name="username"]'))
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').click()
    return navigation.value


@pytest.fixture
def job_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[threading.Thread]]:
    """Jobs queued after a commit run in a thread of their own, as on a worker, not in the request.

    PostgreSQL only: a job's import holds its transaction while the bar's writes and the page's
    polls go through other connections, and SQLite lets one connection write at a time.
    """
    from django.db import connections, transaction

    from pmo.jobs import services as job_services

    if connections["default"].vendor != "postgresql":
        require_service("PostgreSQL", "a worker thread beside the live server needs a database that takes writers")
    threads: list[threading.Thread] = []

    def work(organization_id: int, job_id: int) -> None:
        try:
            job_services.job_execute(organization_id=organization_id, job_id=job_id)
        finally:
            connections.close_all()

    def queue(task: Any, /, **kwargs: Any) -> None:
        def start() -> None:
            thread = threading.Thread(target=work, kwargs=kwargs, name=f"worker-{kwargs['job_id']}")
            threads.append(thread)
            thread.start()

        transaction.on_commit(start)

    monkeypatch.setattr(job_services, "queue_on_commit", queue)
    yield threads
    for thread in threads:
        thread.join(timeout=60)
