import { describe, expect, it } from "vitest";
import { micErrorMessage, typedTooLong, validationMessage } from "./messages";

describe("validationMessage", () => {
  it("says the limit in words", () => {
    expect(validationMessage("preferences.maxPrice", "preferences.maxPrice: Input should be less than or equal to 10000000")).toBe(
      "Maximum price can be at most 10,000,000.",
    );
    expect(validationMessage("quantity", "quantity: Input should be greater than or equal to 1")).toBe(
      "Quantity must be at least 1.",
    );
    expect(validationMessage("budget.max", "budget.max: Input should be less than or equal to 10000000")).toBe(
      "Maximum budget can be at most 10,000,000.",
    );
    expect(validationMessage("searchText", "searchText: String should have at most 300 characters")).toBe(
      "Your request can be at most 300 characters long.",
    );
  });
  it("keeps other messages readable", () => {
    expect(validationMessage("body", "minPrice must not exceed maxPrice")).toBe("The minimum is above the maximum.");
  });
});

describe("micErrorMessage", () => {
  it("tells how to allow a blocked microphone", () => {
    const error = new DOMException("Permission denied", "NotAllowedError");
    expect(micErrorMessage(error)).toMatch(/blocked.*allow it/i);
  });
  it("has a message for a missing microphone", () => {
    expect(micErrorMessage(new DOMException("x", "NotFoundError"))).toMatch(/No microphone/);
  });
});

it("refuses long typed messages with the limit", () => {
  expect(typedTooLong(5000)).toMatch(/5,000 characters.*up to 500/);
});
