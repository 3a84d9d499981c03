"""Web latency in a real Chromium on the local stack: how long until the first product card
is painted.

    python bench/web_latency.py [--runs 20] [--voice-runs 5]

1. Research: Enter pressed in the /research search box -> first card of that query painted
   (a MutationObserver sees the card, then two animation frames pass). p50/p95 over --runs
   different queries.
2. Voice: end of the spoken request -> first card of the agent's search painted. A Piper WAV
   is the fake microphone: 1 s of silence, "find wireless headphones under 100 dollars", then
   silence. The end of speech is the moment the page's getUserMedia resolved (when Chromium
   starts playing the file) plus 1 s plus the spoken length; the error of that anchor is a
   few tens of milliseconds. Each run is a fresh page and voice session.

Starts its own LocalStack (emulators, functions, voice runtime, web server on free ports).
Writes bench/results/web_latency.json and .md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from devstack import web_helpers as wh  # noqa: E402
from devstack.stack import LocalStack, Ports  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUERIES = [
    "wireless headphones", "usb hub", "wireless mouse", "phone case", "external hard drive",
    "memory card", "digital camera", "projector", "calculator", "backpack",
    "bluetooth speaker", "laptop bag", "keyboard", "webcam", "smart watch",
    "power bank", "gaming mouse", "monitor", "printer", "sunglasses",
]  # fmt: skip
SPOKEN = "Find wireless headphones under 100 dollars."
LEAD_SILENCE_S = 1.0

# Timestamps in the page's performance.now() clock.
WATCH_CARDS = """
() => {
  window.__bench = {enter: null, firstCard: null, known: new Set(
    [...document.querySelectorAll('[data-testid=product-card]')].map(c => c.dataset.queryId))};
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && window.__bench.enter === null) window.__bench.enter = performance.now();
  }, {capture: true});
  const seen = () => [...document.querySelectorAll('[data-testid=product-card]')]
    .some(c => c.dataset.queryId && !window.__bench.known.has(c.dataset.queryId));
  const observer = new MutationObserver(() => {
    if (window.__bench.firstCard === null && seen()) {
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        window.__bench.firstCard = performance.now();
      }));
    }
  });
  observer.observe(document.body, {childList: true, subtree: true});
}
"""

# Before any page script: note when the microphone stream is handed to the page.
MIC_HOOK = """
(() => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (constraints && constraints.audio && window.__micStart === undefined) {
      window.__micStart = performance.now();
    }
    return stream;
  };
})();
"""


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"runs": 0}
    return {
        "runs": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "min_ms": round(min(values), 1),
        "max_ms": round(max(values), 1),
    }


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def measure_research(chromium: Any, base_url: str, email: str, runs: int) -> list[float]:
    page = wh.new_page(chromium, base_url)
    wh.sign_up(page, email)
    page.goto("/research")
    box = page.get_by_test_id("search-input")
    # Warm-up: first query loads the catalog index in the worker.
    box.fill("warm up headphones")
    box.press("Enter")
    page.locator('[data-testid="query-status"][data-status="completed"]').wait_for(timeout=60_000)
    samples = []
    for text in (QUERIES * (runs // len(QUERIES) + 1))[:runs]:
        page.evaluate(WATCH_CARDS)
        box.fill(text)
        box.press("Enter")
        page.wait_for_function("() => window.__bench.firstCard !== null", timeout=30_000)
        bench = page.evaluate("() => ({enter: window.__bench.enter, firstCard: window.__bench.firstCard})")
        samples.append(bench["firstCard"] - bench["enter"])
        page.locator('[data-testid="query-status"][data-status="completed"]').wait_for(timeout=30_000)
    page.context.close()
    return samples


def measure_voice(base_url: str, email: str, runs: int, workdir: Path) -> tuple[list[float], float]:
    tail_s = 40.0
    wav = wh.speech_wav(workdir / "request.wav", [LEAD_SILENCE_S, SPOKEN, tail_s])
    spoken_s = wav_seconds(wav) - LEAD_SILENCE_S - tail_s
    samples = []
    with wh.browser(fake_audio_wav=wav) as chromium:
        signed_up = False
        for run in range(runs):
            page = wh.new_page(chromium, base_url, mic=True)
            page.add_init_script(MIC_HOOK)
            if signed_up:
                wh.sign_in(page, email)
            else:
                wh.sign_up(page, email)
                signed_up = True
            page.goto("/voice-shopper")
            page.get_by_role("button", name="Sign out").wait_for()
            if run > 0:
                # The previous run's cards must be on screen before they can be told apart.
                page.get_by_test_id("product-card").first.wait_for(timeout=30_000)
            page.evaluate(WATCH_CARDS)
            page.get_by_test_id("mic-button").click()
            page.wait_for_function("() => window.__bench.firstCard !== null", timeout=60_000)
            marks = page.evaluate("() => ({mic: window.__micStart, firstCard: window.__bench.firstCard})")
            speech_end = marks["mic"] + (LEAD_SILENCE_S + spoken_s) * 1000
            samples.append(marks["firstCard"] - speech_end)
            page.get_by_test_id("mic-button").click()
            page.context.close()
    return samples, spoken_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--voice-runs", type=int, default=5)
    parser.add_argument("--no-results", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    if wh.chromium_path() is None:
        sys.stderr.write("Chromium is missing: apt-get install -y chromium\n")
        return 2
    started = time.time()
    with LocalStack(["web"], ports=Ports.free()) as stack, tempfile.TemporaryDirectory() as tmp:
        base = stack.url("web")
        with wh.browser() as chromium:
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            research = measure_research(chromium, base, email, args.runs)
        voice, spoken_s = (
            measure_voice(base, f"bench-voice-{uuid.uuid4().hex[:8]}@example.com", args.voice_runs, Path(tmp))
            if args.voice_runs
            else ([], 0.0)
        )
    report = {
        "benchmark": "web_latency",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": "2 cores, local stack (emulators, functions, voice runtime, static web server)",
        "research_enter_to_first_card": summary(research),
        "voice_end_of_speech_to_first_card": {**summary(voice), "spoken_request_s": round(spoken_s, 2)},
        "samples_ms": {"research": [round(v, 1) for v in research], "voice": [round(v, 1) for v in voice]},
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "web_latency.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        r, v = report["research_enter_to_first_card"], report["voice_end_of_speech_to_first_card"]
        lines = [
            "# Web latency (Chromium, local stack)",
            "",
            "| measure | runs | p50 ms | p95 ms | min ms | max ms |",
            "|---|---|---|---|---|---|",
        ]
        rows = (("Enter on /research -> first card painted", r), ("end of speech -> first card", v))
        for name, row in rows:
            if row.get("runs"):
                cells = [name, row["runs"], row["p50_ms"], row["p95_ms"], row["min_ms"], row["max_ms"]]
                lines.append("| " + " | ".join(str(c) for c in cells) + " |")
        lines += ["", f"Measured {report['when']} by `python bench/web_latency.py`."]
        (RESULTS / "web_latency.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
