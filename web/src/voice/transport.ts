// The two places the page extends @pipecat-ai/websocket-transport, each in one class:
//
// - VoiceMedia (a WavMediaManager): reports the mic level for the meter, and opens the
//   microphone only when the shopper asks to talk. The stock manager begins recording in
//   initialize() whatever enableMic says, so typing alone asked for the microphone and logged
//   "Error accessing microphone"; and its disconnect() threw when the recorder had never begun,
//   so a typed conversation's end was never reported. It touches private members of
//   WavMediaManager (_wavRecorder, _wavStreamPlayer, _initialized); transport.test.ts fails if
//   an upgrade renames them.
// - QuietSerializer (a ProtobufFrameSerializer): the server's serializer also sends text and
//   transcription frames, which the browser's does not decode ("Unknown frame kind" on every
//   turn). The page reads transcripts from RTVI messages, so those frames are skipped.
import type { ProtobufFrameSerializer, WavMediaManager } from "@pipecat-ai/websocket-transport";

import { pcm16Level } from "./level";

type Manager = typeof WavMediaManager;
type Serializer = typeof ProtobufFrameSerializer;

/** The private parts of WavMediaManager the lazy microphone needs. */
export interface WavInternals {
  _wavRecorder: { begin: (deviceId?: string) => Promise<unknown>; stream: MediaStream | null; processor: unknown };
  _wavStreamPlayer: { connect: () => Promise<unknown>; interrupt: () => Promise<unknown> };
  _initialized: boolean;
}

export interface VoiceMediaOptions {
  chunkBytes: number;
  sampleRate: number;
  onLevel: (level: number) => void;
  /** Whether the shopper asked to talk; read when the transport initialises. */
  wantMic: () => boolean;
  /** The microphone could not be opened when turned on mid-conversation. */
  onMicError: (error: unknown) => void;
  everyMs?: number;
}

export function voiceMedia(Base: Manager, options: VoiceMediaOptions): InstanceType<Manager> {
  const everyMs = options.everyMs ?? 100;
  class VoiceMedia extends Base {
    override async initialize(): Promise<void> {
      if (options.wantMic()) return super.initialize();
      // Typing only: connect the speaker, leave the microphone closed until enableMic(true).
      const self = this as unknown as WavInternals;
      await self._wavStreamPlayer.connect();
      self._initialized = true;
    }

    override async enableMic(enable: boolean): Promise<void> {
      const self = this as unknown as WavInternals;
      try {
        // Opened lazily, on the first enableMic(true) of a conversation started by typing.
        if (enable && !self._wavRecorder.stream) await self._wavRecorder.begin();
        await super.enableMic(enable);
      } catch (error) {
        // PipecatClient.enableMic does not wait for this: report instead of rejecting.
        options.onMicError(error);
      }
    }

    override async disconnect(): Promise<void> {
      const self = this as unknown as WavInternals;
      if (self._initialized && !self._wavRecorder.processor) {
        // The recorder never began (typing only): its end() would throw "please call .begin()
        // first" and the transport would never report the disconnection.
        await self._wavStreamPlayer.interrupt();
        self._initialized = false;
        return;
      }
      return super.disconnect();
    }

    override setUserAudioCallback(callback: (data: ArrayBuffer) => void): void {
      let last = 0;
      super.setUserAudioCallback((data: ArrayBuffer) => {
        const now = performance.now();
        if (now - last >= everyMs) {
          last = now;
          options.onLevel(pcm16Level(new Int16Array(data)));
        }
        callback(data);
      });
    }
  }
  return new VoiceMedia(options.chunkBytes, options.sampleRate);
}

type Decoded = Awaited<ReturnType<ProtobufFrameSerializer["deserialize"]>>;

export function quietSerializer(Base: Serializer): InstanceType<Serializer> {
  class QuietSerializer extends Base {
    override async deserialize(data: unknown): Promise<Decoded> {
      try {
        return await super.deserialize(data);
      } catch (error) {
        // Text and transcription frames: not an error, and nothing the transport would use.
        if (error instanceof Error && error.message === "Unknown frame kind") return { type: "skipped" } as unknown as Decoded;
        throw error;
      }
    }
  }
  return new QuietSerializer();
}
