import { describe, expect, it } from "vitest";
import type { ResearchQuery } from "../lib/types";
import { isBusy, shownStatus } from "./QueryStatus";

const query = (status: ResearchQuery["status"]): ResearchQuery =>
  ({ id: "q1", userId: "u", searchText: "headphones", status, preferences: {}, createdAt: 1, updatedAt: 1 });

describe("shownStatus", () => {
  it("keeps a completed query loading until its products listener has answered", () => {
    expect(shownStatus(query("completed"), true)).toBe("loading");
    expect(shownStatus(query("completed"), false)).toBe("completed");
  });
  it("shows the other states as they are", () => {
    for (const status of ["pending", "searching", "failed"] as const) {
      expect(shownStatus(query(status), true)).toBe(status);
      expect(shownStatus(query(status), false)).toBe(status);
    }
  });
  it("shows nothing without a query", () => {
    expect(shownStatus(null, false)).toBeNull();
  });
});

describe("isBusy", () => {
  it("is true while results may still arrive", () => {
    expect(["pending", "searching", "loading"].map(isBusy)).toEqual([true, true, true]);
    expect(["completed", "failed", null].map(isBusy)).toEqual([false, false, false]);
  });
});
