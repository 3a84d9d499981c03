"""What the voice runtime accepts from a browser's WebSocket: `InboundFrameSerializer`.

Pipecat's protobuf serializer, hardened for frames from the internet. Only
microphone audio (16-bit mono at the agreed rate, bounded size) and the RTVI client
messages the web client sends are accepted: `client-ready` (PipecatClient.connect)
and `send-text` (PipecatClient.sendText, typed text), each with the `rtvi-ai` label.
Everything else (undecodable bytes, text or transcription frames a client might
forge, oversized audio, RTVI types such as `send-file`, `raw-audio`,
`llm-function-call-result`, `append-to-context` or `disconnect-bot` that our client
never sends) is dropped and counted instead of ending the receive loop.
"""

from __future__ import annotations

from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    InputTransportMessageFrame,
    OutputTransportMessageFrame,
    OutputTransportMessageUrgentFrame,
)
from pipecat.serializers.protobuf import ProtobufFrameSerializer

from voice_runtime.log import get_logger, log_event

logger = get_logger(__name__)

RTVI_LABEL = "rtvi-ai"
# The RTVI messages web/src/voice/useVoice.ts makes @pipecat-ai/client-js send.
ALLOWED_RTVI_TYPES = frozenset({"client-ready", "send-text"})
MAX_MESSAGE_BYTES = 16 * 1024  # a typed message is short; ShortText caps a search at 300 characters


def allowed_message(message: object) -> bool:
    """Whether an inbound RTVI message is one the web client sends."""
    return (
        isinstance(message, dict)
        and message.get("label") == RTVI_LABEL
        and message.get("type") in ALLOWED_RTVI_TYPES
    )


class InboundFrameSerializer(ProtobufFrameSerializer):
    """See the module docstring; `dropped` counts what was refused."""

    MAX_AUDIO_BYTES = 16000 * 2 * 2  # two seconds of 16 kHz PCM16 in one frame

    def __init__(self, sample_rate: int = 16000) -> None:
        super().__init__()
        self._sample_rate = sample_rate
        self.dropped = 0

    async def serialize(self, frame: Frame) -> str | bytes | None:
        if not isinstance(frame, tuple(self.SERIALIZABLE_TYPES)) and not isinstance(
            frame, OutputTransportMessageFrame | OutputTransportMessageUrgentFrame
        ):
            return None  # lifecycle frames (EndFrame, CancelFrame) have no wire form
        return await super().serialize(frame)

    async def deserialize(self, data: str | bytes) -> Frame | None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            frame = await super().deserialize(data)
        except Exception:
            frame = None
        if isinstance(frame, InputAudioRawFrame):
            if (
                frame.sample_rate == self._sample_rate
                and frame.num_channels in (0, 1)
                and 0 < len(frame.audio) <= self.MAX_AUDIO_BYTES
                and len(frame.audio) % 2 == 0
            ):
                frame.num_channels = 1
                return frame
        elif (
            isinstance(frame, InputTransportMessageFrame)
            and len(data) <= MAX_MESSAGE_BYTES
            and allowed_message(frame.message)
        ):
            return frame
        self.dropped += 1
        if self.dropped in (1, 10, 100, 1000):
            kind = type(frame).__name__ if frame is not None else "undecodable"
            log_event(
                logger, "inbound frame dropped", event="ws_frame_dropped", dropped=self.dropped, kind=kind
            )
        return None
