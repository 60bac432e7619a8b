"""The browser fixtures themselves: a page's console errors and warnings, uncaught exceptions, broken assets and
refused requests are each caught, a clean page has nothing to report, and a test whose page had a problem fails."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser

from browser import PageProblems, screenshot
from integration_helpers import ROOT, free_port

pytestmark = [pytest.mark.integration, pytest.mark.board]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@dataclasses.dataclass(frozen=True)
class Site:
    url: str
    root: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A static site on loopback with one script and one style sheet."""
    root = tmp_path_factory.mktemp("site")
    (root / "app.js").write_text("document.body.dataset.ready = 'yes';\n")
    (root / "app.css").write_text("body { color: #222; }\n")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def page_problems(browser: Browser, site: Site, name: str, body: str) -> list[str]:
    """The problems of a page of the site with `body` (the site's style sheet first, its script last)."""
    (site.root / f"{name}.html").write_text(
        "<!doctype html><html><head><link rel=icon href='data:,'><link rel=stylesheet href='app.css'></head>"
        f"<body>{body}<script src='app.js'></script></body></html>")
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        page.goto(f"{site.url}/{name}.html")
        page.wait_for_selector("body[data-ready=yes]", state="attached")
        return problems.lines
    finally:
        context.close()


def test_a_clean_page_has_no_problems(browser: Browser, site: Site) -> None:
    assert page_problems(browser, site, "clean", "<p>fine</p><script>console.log('just a log')</script>") == []


@pytest.mark.parametrize(("body", "expected"), [
    ("<script>console.error('boom')</script>", "console error: boom"),
    ("<script>console.warn('careful')</script>", "console warning: careful"),
    ("<script>null.missing</script>", "uncaught exception"),
    ("<script src='missing.js'></script>", "HTTP 404: GET {site}/missing.js"),
    ("<img src='http://127.0.0.1:{closed}/logo.png'>", "request failed: GET http://127.0.0.1:{closed}/logo.png"),
], ids=["console-error", "console-warning", "uncaught-exception", "broken-asset", "refused-request"])
def test_each_kind_of_problem_is_caught(browser: Browser, site: Site, body: str, expected: str,
                                        request: pytest.FixtureRequest) -> None:
    closed = free_port()
    lines = page_problems(browser, site, request.node.callspec.id, body.format(closed=closed))
    assert any(line.startswith(expected.format(site=site.url, closed=closed)) for line in lines), lines


def test_screenshots_are_saved_as_artefacts(page: Any) -> None:
    page.set_content("<h1>board</h1>")
    path = screenshot(page, "fixture check")
    assert path.name == "fixture_check.png" and path.read_bytes().startswith(b"\x89PNG")


def test_a_test_whose_page_logs_an_error_fails(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("from browser import browser, page\n")
    (tmp_path / "test_page.py").write_text(
        "def test_a_page_that_logs_an_error(page):\n"
        "    page.goto(\"data:text/html,<p>hello</p><script>console.error('boom')</script>\")\n"
        "    page.wait_for_selector('p')\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "tests" / "helpers")})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout and "console error: boom" in done.stdout, done.stdout
