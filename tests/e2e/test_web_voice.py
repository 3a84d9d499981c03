"""Voice end to end in a real Chromium: a WAV file is the microphone.

The user says "find wireless headphones under 100 dollars", then "save the first one"; the
page shows the transcript, the agent's reply and product cards, and the item lands in Saved.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from devstack import web_helpers as wh

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(wh.chromium_path() is None, reason="Chromium is not installed"),
]

SCRIPT: list[str | float] = [
    1.0,
    "Find wireless headphones under 100 dollars.",
    9.0,
    "Save the first one.",
    60.0,  # Chromium loops the file: keep it quiet until the test is done
]


@pytest.fixture(scope="module")
def spoken_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wh.speech_wav(tmp_path_factory.mktemp("voice") / "request.wav", SCRIPT)


def test_voice_search_and_save(web_stack, clean, spoken_wav: Path) -> None:
    with wh.browser(fake_audio_wav=spoken_wav) as chromium:
        page = wh.new_page(chromium, web_stack.url("web"), mic=True)
        wh.sign_up(page, f"voice-{uuid.uuid4().hex[:8]}@example.com")
        page.wait_for_url("**/voice-shopper")
        page.evaluate(
            """() => { window.__maxLevel = 0; setInterval(() => {
                const meter = document.querySelector('[role=meter]');
                const level = Number(meter?.getAttribute('aria-valuenow') ?? 0);
                window.__maxLevel = Math.max(window.__maxLevel, level);
            }, 50); }"""
        )
        page.get_by_test_id("mic-button").click()

        bubbles = page.get_by_test_id("bubble")
        user = page.locator('[data-testid="bubble"][data-speaker="user"]')
        agent = page.locator('[data-testid="bubble"][data-speaker="agent"]')
        user.filter(has_text="headphones").first.wait_for(timeout=60_000)
        agent.first.wait_for(timeout=60_000)

        current = page.get_by_test_id("panel-current").get_by_test_id("product-card")
        current.first.wait_for(timeout=60_000)
        prices = wh.card_prices(page)
        assert prices and all(p <= 100 for p in prices), prices
        first_title = page.locator(".card__title").first.inner_text()

        # "save the first one": the first card's heart turns on and Saved holds it.
        user.filter(has_text="save").first.wait_for(timeout=60_000)
        wh.wait_first_card_saved(page, timeout=60_000)
        assert page.evaluate("window.__maxLevel") > 0, "the level meter never moved while the user spoke"
        captions = page.get_by_test_id("captions").inner_text()
        assert captions, "the live captions region is empty"
        assert page.get_by_test_id("mic-state").inner_text() != "Press to talk"
        violations = wh.axe_violations(page)
        assert not violations, wh.format_violations(violations)
        wh.screenshot(page, "voice-conversation-desktop")

        page.get_by_role("tab", name="Saved").click()
        saved = page.get_by_test_id("panel-saved").get_by_test_id("product-card")
        saved.first.wait_for()
        assert saved.count() == 1
        assert page.get_by_test_id("panel-saved").locator(".card__title").first.inner_text() == first_title
        assert bubbles.count() >= 4

        page.set_viewport_size(wh.PHONE)
        page.get_by_role("tab", name="Current").click()
        page.wait_for_timeout(300)
        wh.screenshot(page, "voice-conversation-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= wh.PHONE["width"], f"the voice page scrolls sideways on a phone ({width}px)"

        # Stopping ends the session: the mic goes idle.
        page.get_by_test_id("mic-button").click()
        page.locator('[data-testid="mic-state"]', has_text="Press to talk").wait_for()


def test_typed_request_reaches_the_same_agent(web_stack, clean) -> None:
    """No microphone at all: typing opens a session and the agent searches and answers."""
    with wh.browser() as chromium:
        page = wh.new_page(chromium, web_stack.url("web"))
        wh.sign_up(page, f"typist-{uuid.uuid4().hex[:8]}@example.com")
        box = page.get_by_test_id("composer-input")
        box.fill("find running shoes under 80 dollars")
        box.press("Enter")
        page.locator('[data-testid="bubble"][data-speaker="user"]', has_text="running shoes").first.wait_for()
        page.locator('[data-testid="bubble"][data-speaker="agent"]').first.wait_for(timeout=60_000)
        page.get_by_test_id("panel-current").get_by_test_id("product-card").first.wait_for(timeout=60_000)
        page.locator('[data-testid="query-status"][data-status="completed"]').wait_for(timeout=30_000)
        prices = wh.card_prices(page)
        assert prices and all(p <= 80 for p in prices), prices
        assert page.get_by_test_id("voice-error").count() == 0, "typing must not need a microphone"
        # The mic button now offers to start talking in the same session, not to stop it.
        assert page.get_by_test_id("mic-button").get_attribute("aria-pressed") == "false"
