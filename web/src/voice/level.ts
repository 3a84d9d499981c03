// Microphone level for the meter. WavMediaManager (the plain Web Audio manager) reports no
// local audio level, so the level is measured on the PCM16 chunks it hands the transport.
import type { WavMediaManager } from "@pipecat-ai/websocket-transport";

/** Root mean square of PCM16 samples, 0..1. */
export function pcm16Level(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length) / 32768;
}

type Manager = typeof WavMediaManager;

/** A WavMediaManager that also calls `onLevel` (at most every `everyMs`) with the mic level. */
export function meteredManager(
  Base: Manager,
  chunkBytes: number,
  sampleRate: number,
  onLevel: (level: number) => void,
  everyMs = 100,
): InstanceType<Manager> {
  class Metered extends Base {
    override setUserAudioCallback(callback: (data: ArrayBuffer) => void): void {
      let last = 0;
      super.setUserAudioCallback((data: ArrayBuffer) => {
        const now = performance.now();
        if (now - last >= everyMs) {
          last = now;
          onLevel(pcm16Level(new Int16Array(data)));
        }
        callback(data);
      });
    }
  }
  return new Metered(chunkBytes, sampleRate);
}
