"""The HTML reports in a real browser (Playwright with Debian's chromium): the page loads with no
console error and no network request, a filter click changes the visible rows, the search box
filters, a column header sorts, keyboard navigation moves between items, and a screenshot is
written (under tmp) for a person to look at."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); "
                                "the HTML structure is still checked by test_html.py")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NOW = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _open(browser, html: str, path: Path):
    path.write_text(html)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


def _visible(page, selector: str) -> int:
    return page.eval_on_selector_all(selector, "els => els.filter(e => e.offsetParent !== null).length")


def test_check_report_filters_search_sort_and_keys(browser, demo_check, tmp_path):
    from permwise.report.html import check_html

    page, errors, requests = _open(browser, check_html(demo_check, snapshot_created="2026-04-01T00:00:00Z", now=NOW),
                                   tmp_path / "check.html")
    rows = "#commands tbody tr"
    total = _visible(page, rows)
    assert total == len(demo_check.commands)
    # every item is shown while every filter is on
    n_items = page.locator(".f-item").count()
    assert page.inner_text("#pw-shown") == f"{n_items} of {n_items} shown"
    assert page.inner_text("#report-date") == "2026-01-02 03:04 UTC"
    assert page.inner_text("#snapshot-date") == "2026-04-01 00:00 UTC"
    # a filter click hides the ready commands
    page.click('input[data-dim="status"][value="ready"]')
    not_ready = sum(1 for c in demo_check.commands if c.status != "ready")
    assert _visible(page, rows) == not_ready < total
    page.click('input[data-dim="status"][value="ready"]')
    assert _visible(page, rows) == total
    # the search box
    page.fill("#pw-search", "guardduty")
    shown = _visible(page, rows)
    assert 0 < shown < total
    # keyboard: Esc clears the search, / focuses it, j/k move between items
    page.keyboard.press("Escape")
    assert _visible(page, rows) == total
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "pw-search"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.textContent")
    assert first != second and "f-item" in page.evaluate("document.activeElement.className")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.textContent") == first
    # sorting by the "denied" column, by keyboard on the header
    header = page.locator("#commands thead th").nth(4)
    header.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    firsts = page.eval_on_selector_all(rows, "els => els.map(e => e.cells[4].textContent)")
    nums = [int(x.split("/")[0]) for x in firsts if x != "-"]
    assert nums == sorted(nums, reverse=True)
    # Read excess by service
    assert page.locator("table.read-by-service").count() >= 1
    shot = tmp_path / "check.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert errors == [] and requests == []
    page.close()


def test_audit_report_severity_filter_and_scp_fixes(browser, demo_audit, tmp_path):
    from permwise.report.html import audit_html

    page, errors, requests = _open(browser, audit_html(demo_audit, environment="demo", now=NOW), tmp_path / "audit.html")
    items = ".f-item"
    total = _visible(page, items)
    high = _visible(page, '.f-item[data-severity="high"]')
    assert high > 0
    page.click('input[data-dim="severity"][value="high"]')
    assert _visible(page, items) == total - high
    page.click('input[data-dim="layer"][value="scp"]')
    assert _visible(page, '.f-item[data-layer="scp"]') == 0
    page.click('input[data-dim="layer"][value="scp"]')
    page.click('input[data-dim="severity"][value="high"]')
    assert _visible(page, items) == total
    # each SCP gap has its title and the statement to attach
    assert page.locator(".scp-guardrail pre").count() == page.locator(".scp-guardrail").count() > 0
    page.keyboard.press("j")
    assert "f-item" in page.evaluate("document.activeElement.className")
    shot = tmp_path / "audit.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert errors == [] and requests == []
    page.close()
