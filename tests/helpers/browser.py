"""A real browser for the board's tests: Debian's chromium driven by Playwright, and pages that fail their test on
any console error or warning, uncaught exception, failed request or HTTP error answer.

Import the `browser` and `page` fixtures into a conftest.py. Playwright comes with the test extra; the browser is
Debian's package: outside CI a missing chromium skips the tests, in CI (`FATE_RUNTIME_CI=1`, set by .ci/run, which
installs it) it fails them. Each test's last view and any `screenshot()` it takes are saved under
tests/board/artifacts/ (their paths printed).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, expect, sync_playwright

from integration_helpers import ROOT
from system_packages import missing_package

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "board" / "artifacts"
LAPTOP_WIDTH, LAPTOP_HEIGHT = 1366, 768
ACTION_TIMEOUT_MS = 15_000  # for actions and expect()'s waits alike (two busy cores may be slow to paint)
REPORTED_CONSOLE_TYPES = ("error", "warning")
# A request the page itself gave up (navigating away from an open event stream, an aborted fetch) is not a fault.
ABORTED = "net::ERR_ABORTED"


class PageProblems:
    """Everything a page did wrong, in the order it happened, as one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._uncaught)
        page.on("requestfailed", self._failed)
        page.on("response", self._answered)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in REPORTED_CONSOLE_TYPES:
            self.lines.append(f"console {message.type}: {message.text} ({message.location.get('url', '')})")

    def _uncaught(self, error: Exception) -> None:
        self.lines.append(f"uncaught exception: {error}")

    def _failed(self, request: Request) -> None:
        failure = request.failure or "unknown failure"
        if failure != ABORTED:
            self.lines.append(f"request failed: {request.method} {request.url}: {failure}")

    def _answered(self, response: Response) -> None:
        if response.status >= 400:
            self.lines.append(f"HTTP {response.status}: {response.request.method} {response.url}")


def artifact_path(name: str) -> Path:
    """Where a screenshot called `name` goes (a file name made of the name's letters, digits, - and _)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") + ".png")


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save the page's view as tests/board/artifacts/<name>.png and print where."""
    path = artifact_path(name)
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium for the session."""
    if shutil.which(CHROMIUM) is None:
        missing_package(f"{CHROMIUM} is not installed (Debian: apt-get install chromium)")
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page at a laptop's size whose problems fail the test; its last view is saved as the test's name."""
    context = browser.new_context(viewport={"width": LAPTOP_WIDTH, "height": LAPTOP_HEIGHT})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    opened = context.new_page()
    problems = PageProblems()
    problems.watch(opened)
    try:
        yield opened
        screenshot(opened, request.node.name)
    finally:
        seen = list(problems.lines)
        context.close()
    assert not seen, "the page had problems:\n" + "\n".join(seen)
