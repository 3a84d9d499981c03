// Microphone level for the meter. WavMediaManager (the plain Web Audio manager) reports no
// local audio level, so the level is measured on the PCM16 chunks it hands the transport.

/** Root mean square of PCM16 samples, 0..1. */
export function pcm16Level(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / samples.length) / 32768;
}
