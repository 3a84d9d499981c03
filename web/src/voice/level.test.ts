import { describe, expect, it } from "vitest";
import { pcm16Level } from "./level";
import { badgeText } from "../components/StatusBadge";
import { closeCode, parseHint } from "./useVoice";

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

describe("closeCode", () => {
  it("reads the close code of the transport's error text", () => {
    expect(closeCode("websocket connection closed. Code: 1000")).toBe(1000);
    expect(closeCode("websocket connection closed. Code: 1006")).toBe(1006);
    expect(closeCode("websocket error: [object Event]")).toBeNull();
  });
});

describe("badgeText", () => {
  it("never says offline when nothing is wrong", () => {
    expect(badgeText("idle", "off")).toBe("Assistant: ready when you are");
    expect(badgeText("idle", "ended")).toBe("Assistant: conversation ended");
    expect(badgeText("ready", "live")).toBe("Assistant: connected, mic off");
    expect(badgeText("connecting", "reconnecting")).toBe("Assistant: reconnecting");
    expect(badgeText("listening", "live")).toBe("Assistant: listening");
  });
});
