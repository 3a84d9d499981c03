// Fails when an upgrade of @pipecat-ai/websocket-transport renames what voiceMedia and
// quietSerializer rely on (see transport.ts).
import { RTVIMessage } from "@pipecat-ai/client-js";
import { ProtobufFrameSerializer, WavMediaManager } from "@pipecat-ai/websocket-transport";
import { describe, expect, it } from "vitest";
import { quietSerializer, type WavInternals } from "./transport";

describe("WavMediaManager internals used by the lazy microphone", () => {
  it("still has _wavRecorder.begin, _wavStreamPlayer.connect and _initialized", () => {
    const manager = new WavMediaManager(1024, 16000) as unknown as WavInternals;
    expect(typeof manager._wavRecorder.begin).toBe("function");
    expect("stream" in manager._wavRecorder).toBe(true);
    expect("processor" in manager._wavRecorder).toBe(true);
    expect(typeof manager._wavStreamPlayer.connect).toBe("function");
    expect(typeof manager._wavStreamPlayer.interrupt).toBe("function");
    expect(manager._initialized).toBe(false);
    expect(typeof WavMediaManager.prototype.initialize).toBe("function");
    expect(typeof WavMediaManager.prototype.enableMic).toBe("function");
  });
});

describe("quietSerializer", () => {
  it("skips frame kinds the browser does not decode, and decodes messages", async () => {
    const serializer = quietSerializer(ProtobufFrameSerializer);
    const message = serializer.serializeMessage(new RTVIMessage("bot-ready", {}));
    const decoded = await serializer.deserialize(new Blob([new Uint8Array(message)]));
    expect(decoded.type).toBe("message");
    // A protobuf Frame whose oneof is field 1 (text): tag 0x0a, length, then a TextFrame.
    const textFrame = new Uint8Array([0x0a, 0x04, 0x1a, 0x02, 0x68, 0x69]);
    const skipped = await serializer.deserialize(new Blob([textFrame]));
    expect(skipped.type).toBe("skipped");
  });
});
