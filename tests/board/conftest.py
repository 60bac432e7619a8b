"""The board's tests run in a real browser (tests/helpers/browser.py)."""

from browser import browser, page

__all__ = ["browser", "page"]
