import { describe, expect, it } from "vitest";
import { formatPrice, formatRating, mergeTurns, parseOptionalNumber, parseTagList, safeUrl } from "./format";
import type { ConversationLog } from "./types";

const log = (speaker: ConversationLog["speaker"], text: string, timestamp: number): ConversationLog => ({
  id: `${speaker}-${timestamp}`,
  sessionId: "s",
  userId: "u",
  speaker,
  text,
  timestamp,
});

describe("formatPrice", () => {
  it("formats in the product's currency", () => {
    expect(formatPrice(49.5, "USD")).toBe("$49.50");
    expect(formatPrice(10, "EUR")).toBe("€10.00");
  });
  it("says when the price is unknown", () => {
    expect(formatPrice(null)).toBe("Price unknown");
    expect(formatPrice(Number.NaN)).toBe("Price unknown");
  });
  it("survives a currency code Intl does not know", () => {
    expect(formatPrice(3, "ZZZ")).toMatch(/3\.00/);
  });
});

describe("formatRating", () => {
  it("shows stars and reviews", () => {
    expect(formatRating(4.25, 1200)).toBe("4.3 out of 5 (1,200 reviews)");
    expect(formatRating(4)).toBe("4.0 out of 5");
    expect(formatRating(null)).toBeNull();
  });
});

describe("safeUrl", () => {
  it("keeps http(s) and drops anything else", () => {
    expect(safeUrl("https://example.com/a")).toBe("https://example.com/a");
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("not a url")).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
  });
});

describe("form parsing", () => {
  it("reads optional non-negative numbers", () => {
    expect(parseOptionalNumber("  ")).toBeNull();
    expect(parseOptionalNumber("12.5")).toBe(12.5);
    expect(parseOptionalNumber("-1")).toBe("invalid");
    expect(parseOptionalNumber("abc")).toBe("invalid");
  });
  it("splits tags and drops duplicates", () => {
    expect(parseTagList("Sony, bose ,  SONY,, Bose")).toEqual(["Sony", "bose"]);
    expect(parseTagList("")).toEqual([]);
  });
});

describe("mergeTurns", () => {
  it("shows a typed message until its log arrives", () => {
    const typed = [{ id: "t1", text: "find shoes", timestamp: 1000 }];
    const before = mergeTurns([log("agent", "Hi", 500)], typed);
    expect(before.map((t) => t.text)).toEqual(["Hi", "find shoes"]);
    const after = mergeTurns([log("agent", "Hi", 500), log("user", "Find shoes.", 1200)], typed);
    expect(after.map((t) => t.text)).toEqual(["Hi", "Find shoes."]);
  });
  it("does not match an older identical turn", () => {
    const typed = [{ id: "t1", text: "cheaper", timestamp: 60_000 }];
    const merged = mergeTurns([log("user", "cheaper", 1000)], typed);
    expect(merged).toHaveLength(2);
  });
});
