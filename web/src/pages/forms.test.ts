import { describe, expect, it } from "vitest";
import { buildPatch } from "./Preferences";
import { buildPreferences } from "./Research";

describe("buildPreferences (research filters)", () => {
  it("sends only the filters that are set", () => {
    expect(buildPreferences({ minPrice: "", maxPrice: "100", minRating: "4", retailers: ["icecat"] })).toEqual({
      maxPrice: 100,
      minRating: 4,
      targetRetailers: ["icecat"],
    });
    expect(buildPreferences({ minPrice: "", maxPrice: "", minRating: "", retailers: [] })).toEqual({});
  });
  it("refuses an inverted price range and bad ratings", () => {
    expect(buildPreferences({ minPrice: "200", maxPrice: "50", minRating: "", retailers: [] })).toMatch(/above/);
    expect(buildPreferences({ minPrice: "", maxPrice: "", minRating: "6", retailers: [] })).toMatch(/rating/);
    expect(buildPreferences({ minPrice: "x", maxPrice: "", minRating: "", retailers: [] })).toMatch(/Minimum price/);
    expect(buildPreferences({ minPrice: "", maxPrice: "1e9", minRating: "", retailers: [] })).toBe(
      "Prices can be at most $10,000,000.",
    );
  });
});

describe("buildPatch (preferences)", () => {
  it("patches only edited fields", () => {
    expect(buildPatch({ brands: "Sony, Bose" }, null)).toEqual({ brands: ["Sony", "Bose"] });
  });
  it("keeps the other budget bound when one is edited", () => {
    const prefs = { userId: "u", budget: { min: 10, max: 100 } };
    expect(buildPatch({ budgetMax: "80" }, prefs)).toEqual({ budget: { min: 10, max: 80 } });
    expect(buildPatch({ budgetMin: "90", budgetMax: "80" }, prefs)).toMatch(/above/);
  });
});
