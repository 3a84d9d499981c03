import { describe, expect, it } from "vitest";
import { pcm16Level } from "./level";
import { parseHint } from "./useVoice";

describe("pcm16Level", () => {
  it("is 0 for silence and about 1 for full scale", () => {
    expect(pcm16Level(new Int16Array(0))).toBe(0);
    expect(pcm16Level(new Int16Array(160))).toBe(0);
    expect(pcm16Level(Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 32767 : -32768)))).toBeGreaterThan(0.99);
  });
});

describe("parseHint", () => {
  it("accepts typed messages only", () => {
    expect(parseHint({ type: "search-results", queryId: "q1" })).toEqual({ type: "search-results", queryId: "q1" });
    expect(parseHint({ queryId: "q1" })).toBeNull();
    expect(parseHint("search-results")).toBeNull();
  });
});
