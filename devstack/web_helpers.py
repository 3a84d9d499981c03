"""Browser helpers for the web e2e tests: Debian Chromium under Playwright, axe-core, screenshots."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "bench" / "results" / "screenshots"
AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@contextmanager
def browser(fake_audio_wav: Path | None = None, extra_args: list[str] | None = None) -> Iterator[Any]:
    """A headless Debian Chromium; with a WAV, that file is the microphone."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium is missing: apt-get install -y chromium (make install-system)")
    args = list(CHROMIUM_ARGS)
    if fake_audio_wav is not None:
        args += [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={fake_audio_wav}",
            "--autoplay-policy=no-user-gesture-required",
        ]
    args += extra_args or []
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=args, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def new_page(instance: Any, base_url: str, viewport: dict[str, int] = DESKTOP, mic: bool = False) -> Any:
    context = instance.new_context(
        base_url=base_url,
        viewport=viewport,
        permissions=["microphone"] if mic else [],
        is_mobile=viewport["width"] < 600,
        has_touch=viewport["width"] < 600,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def sign_up(page: Any, email: str, password: str = "correct horse 42") -> None:
    page.goto("/voice-shopper")
    page.get_by_role("button", name="Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name="Sign out").wait_for()


def sign_in(page: Any, email: str, password: str = "correct horse 42") -> None:
    page.goto("/voice-shopper")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Sign out").wait_for()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Runs axe-core in the page; returns the violations of the given impacts, summarised."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} missing: run `npm --prefix web ci`")
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
    # (script-src 'self', no inline scripts) does not govern; a <script> tag would be refused.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def format_violations(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=2)


def speech_wav(path: Path, script: list[str | float]) -> Path:
    """A mono 16-bit WAV: strings are spoken by the bundled Piper voice, numbers are seconds of silence.

    Chromium loops a fake-microphone file, so end the script with enough silence for the test.
    """
    import wave

    from voice_runtime.models import get_piper_voice

    voice = get_piper_voice()
    rate = voice.config.sample_rate
    frames = bytearray()
    for part in script:
        if isinstance(part, str):
            for chunk in voice.synthesize(part):
                frames += chunk.audio_int16_bytes
        else:
            frames += b"\x00\x00" * int(rate * part)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


FIRST_HEART_ON = (
    "() => document.querySelector('[data-testid=save-button]')?.getAttribute('aria-pressed') === 'true'"
)


def wait_first_card_saved(page: Any, timeout: float = 20_000) -> None:
    """Waits until the first product card's heart is on."""
    page.wait_for_function(FIRST_HEART_ON, timeout=timeout)


def card_prices(page: Any) -> list[float]:
    return [
        float(text.replace("$", "").replace(",", ""))
        for text in page.locator(".card__price").all_inner_texts()
    ]


# Sums layout-shift entries not caused by input into window.__layoutShift (CLS-like).
WATCH_LAYOUT_SHIFT = """
() => {
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) window.__layoutShift += entry.value;
    }
  }).observe({type: 'layout-shift', buffered: false});
}
"""
