"""The page of `voiceguide serve` in real headless Chromium, driven by Playwright.

Playwright drives the system's Chromium (/usr/bin/chromium, installed by
.ci/run with apt-get when missing). Without it the tests skip, except under
CI=true, where they fail: CI must prove the page. Screenshots (phone and
desktop) are saved under build/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from servekit import ROOT

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("VOICEGUIDE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "build" / "screenshots"
# Every Content-Security-Policy violation a document meets (serve.py sends a policy with every response).
VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""
PHONE = {"width": 390, "height": 844}


def unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"the browser test cannot run under CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        unavailable(f"playwright is not installed ({exc})")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport=PHONE,
                device_scale_factor=2,
                has_touch=True,
            )
        except Error as exc:
            unavailable(f"Chromium would not start: {exc}")
        yield context
        context.close()


@pytest.fixture(scope="module")
def page(browser, server):
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(VIOLATIONS)
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.wait_for_selector("#session-0 .cue", timeout=15_000)  # the script, from the VTT
    page.requests, page.errors = requests, errors
    yield page
    page.close()


def audio_time(page) -> float:
    return page.evaluate("() => document.querySelector('#session-0 audio').currentTime")


def test_page_lists_the_released_days_with_todays_first(page):
    titles = page.locator(".session h3").all_inner_texts()
    assert titles == ["Day 2: gentle hamstrings", "Day 1: gentle hamstrings"]
    assert page.locator("#session-0 .eyebrow").inner_text().upper().startswith("TODAY")
    assert page.locator("#session-0 .stretches").inner_text() == "Forward Bend · Lunge"
    assert "1 more day to come" in page.locator("#upcoming").inner_text()
    page.wait_for_function("() => document.querySelector('#session-0 img.cover').naturalWidth > 0", timeout=10_000)
    assert page.locator("a[download][href='day-02.mp3']").count() == 1
    assert page.locator("a[href='calendar.ics']").count() == 1


def test_audio_plays_muted_and_its_time_advances(page):
    page.evaluate("() => { const a = document.querySelector('#session-0 audio'); a.muted = true; return a.play(); }")
    start = audio_time(page)
    deadline = time.monotonic() + 10
    while audio_time(page) < start + 0.8 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert audio_time(page) >= start + 0.8
    assert not page.evaluate("() => document.querySelector('#session-0 audio').paused")
    has_session = page.evaluate("() => 'mediaSession' in navigator && navigator.mediaSession.metadata !== null")
    if has_session:
        assert page.evaluate("() => navigator.mediaSession.metadata.title") == "Day 2: gentle hamstrings"


def test_a_chapter_button_seeks_and_the_current_cue_is_highlighted(page):
    chapters = page.locator("#session-0 button.chapter")
    assert chapters.count() >= 4
    third = chapters.nth(2)
    target = float(third.get_attribute("data-start"))
    assert target > 5
    third.click()
    assert abs(audio_time(page) - target) < 1.0
    page.wait_for_function(
        "t => { const a = document.querySelector('#session-0 audio'); return a.currentTime >= t && !a.paused; }",
        arg=target,
        timeout=10_000,
    )
    assert third.get_attribute("aria-current") == "true"
    current = page.locator("#session-0 .cue.current")
    current.wait_for(timeout=10_000)
    assert current.get_attribute("aria-current") == "true"
    stamp = current.locator(".time").inner_text()
    minutes, seconds = stamp.split(":")
    assert abs(int(minutes) * 60 + int(seconds) - audio_time(page)) < 12  # the cue being spoken now
    # Scrolled into view within the script's own box.
    page.wait_for_timeout(800)  # a smooth scroll
    inside = page.evaluate(
        """() => {
            const box = document.querySelector('#session-0 .script').getBoundingClientRect();
            const cue = document.querySelector('#session-0 .cue.current').getBoundingClientRect();
            return cue.top >= box.top - 1 && cue.bottom <= box.bottom + 1;
        }"""
    )
    assert inside


def test_the_feed_qr_code_is_there_labelled_and_reads_back_as_the_feed_url(page, server):
    import numpy as np
    import zxingcpp
    from PIL import Image

    qr = page.locator("#feed-qr")
    page.wait_for_function("() => document.getElementById('feed-qr').naturalWidth > 0", timeout=10_000)
    alt = qr.get_attribute("alt")
    feed = f"{server.url}feed.xml"
    assert alt == f"QR code of the feed address {feed}"
    assert page.locator("#feed-url").input_value() == feed
    assert page.locator("#podcast-link").get_attribute("href") == feed.replace("http:", "podcast:")
    shot = SHOTS / "serve-qr.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    qr.screenshot(path=str(shot))
    found = zxingcpp.read_barcodes(np.asarray(Image.open(shot).convert("L")))
    assert [f.text for f in found] == [feed]
    assert "AntennaPod" in page.locator("#apps-note").inner_text()


def test_screenshots_and_nothing_fetched_from_elsewhere(page, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.querySelector('#session-0 audio').pause()")
    page.screenshot(path=str(SHOTS / "serve-phone.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / "serve-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert (SHOTS / "serve-phone.png").stat().st_size > 10_000
    assert page.requests and all(url.startswith(server.url) for url in page.requests), page.requests
    assert page.errors == []
    assert page.evaluate("() => window.__violations") == []


def test_files_opened_on_their_own_show_under_their_sandboxed_policy(browser, server):
    """The cover, the art route and an MP3 opened by address still display, though no script may run there."""
    tab = browser.new_page()
    errors: list[str] = []
    # The browser asks for /favicon.ico (404) on a page of its own; anything else is an error.
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not m.location["url"].endswith("/favicon.ico") else None
        ),
    )
    try:
        for path in ("cover.png", "_voiceguide/art/day-02.mp3"):
            response = tab.goto(server.url + path)
            assert response is not None and response.ok, path
            assert "sandbox" in response.headers["content-security-policy"], path
            tab.wait_for_function("() => document.images.length && document.images[0].naturalWidth > 0", timeout=10_000)
        response = tab.goto(server.url + "_voiceguide/feed-qr.svg")
        assert response is not None and response.ok
        assert tab.evaluate("() => document.documentElement.tagName") == "svg"
        response = tab.goto(server.url + "day-02.mp3")
        assert response is not None and response.ok
        # The browser's media document loads the MP3 (readyState 1: its duration is known).
        tab.wait_for_function("() => document.querySelector('video, audio')?.readyState >= 1", timeout=10_000)
        # The page's own policy differs: scripts from the server run there.
        response = tab.goto(server.url)
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        tab.wait_for_selector("body[data-ready=true]", timeout=15_000)
    finally:
        tab.close()
    assert errors == []  # no policy violation, no blocked load
