"""Fallback offline text-to-speech: the ``espeak-ng`` command (Debian package espeak-ng).

Used when Piper cannot load. Each sentence runs ``espeak-ng --stdout`` as an
asyncio subprocess (no thread, no blocking of the event loop) and its WAV is
streamed out, resampled to the pipeline's rate. Robotic, but tiny and fast.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import wave
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from pipecat.frames.frames import ErrorFrame, Frame
from pipecat.services.tts_service import TTSService

ESPEAK_BINARY = "espeak-ng"


def espeak_available() -> bool:
    """Whether the espeak-ng command is on PATH."""
    return shutil.which(ESPEAK_BINARY) is not None


def espeak_command(
    text: str, *, voice: str = "en-us", words_per_minute: int = 175, pitch: int = 50
) -> list[str]:
    """The argv that speaks ``text`` to a WAV on stdout (text after ``--`` so it is never an option)."""
    return [ESPEAK_BINARY, "--stdout", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--", text]


def wav_to_pcm(wav_bytes: bytes) -> tuple[bytes, int]:
    """(16-bit PCM frames, sample rate) from a WAV espeak-ng wrote to stdout.

    espeak-ng writes a streaming header whose sizes may be 0 or 0xFFFFFFFF,
    so the data chunk is taken as everything after the 44-byte header.
    """
    if len(wav_bytes) < 44 or wav_bytes[:4] != b"RIFF":
        raise ValueError("espeak-ng did not return a WAV stream")
    try:
        with wave.open(io.BytesIO(wav_bytes)) as reader:
            rate = reader.getframerate()
    except wave.Error:
        rate = int.from_bytes(wav_bytes[24:28], "little")
    return wav_bytes[44:], rate


def synthesize_espeak(
    text: str, *, voice: str = "en-us", words_per_minute: int = 175, pitch: int = 50
) -> tuple[bytes, int]:
    """Blocking synthesis for scripts and fixtures: (16-bit PCM, sample rate)."""
    done = subprocess.run(
        espeak_command(text, voice=voice, words_per_minute=words_per_minute, pitch=pitch),
        check=True,
        capture_output=True,
        timeout=30,
    )
    return wav_to_pcm(done.stdout)


class EspeakTTSService(TTSService):
    """TTS through the espeak-ng command line."""

    def __init__(self, *, voice: str = "en-us", words_per_minute: int = 175, **kwargs: Any) -> None:
        if not espeak_available():
            raise RuntimeError("espeak-ng is not installed (apt-get install -y espeak-ng)")
        super().__init__(push_start_frame=True, push_stop_frames=True, **kwargs)
        self._voice_name = voice
        self._words_per_minute = words_per_minute

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        process = await asyncio.create_subprocess_exec(
            *espeak_command(text, voice=self._voice_name, words_per_minute=self._words_per_minute),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )

        async def chunks() -> AsyncIterator[bytes]:
            assert process.stdout is not None
            while True:
                chunk = await process.stdout.read(8192)
                if not chunk:
                    return
                yield chunk

        try:
            await self.start_tts_usage_metrics(text)
            async for frame in self._stream_audio_frames_from_iterator(
                chunks(), strip_wav_header=True, context_id=context_id
            ):
                await self.stop_ttfb_metrics()
                yield frame
            if await process.wait() != 0:
                yield ErrorFrame(error=f"espeak-ng exited with {process.returncode}")
        except Exception as error:
            yield ErrorFrame(error=f"espeak-ng synthesis failed: {error}")
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await self.stop_ttfb_metrics()
