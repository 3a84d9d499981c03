import { describe, expect, it } from "vitest";
import { groupByRetailer, retailerName } from "./cart";
import type { CartItem } from "./types";

const item = (id: string, source: string, price: number, quantity = 1): CartItem => ({
  id,
  userId: "u",
  productId: id,
  productName: id,
  productUrl: `https://shop.example/${id}`,
  price,
  currency: "USD",
  source,
  quantity,
  addedAt: 1,
});

describe("groupByRetailer", () => {
  it("groups by source with totals per retailer and overall", () => {
    const { groups, totals, count } = groupByRetailer([
      item("a", "bestbuy", 10.1, 2),
      item("b", "icecat", 5),
      item("c", "bestbuy", 0.7),
    ]);
    expect(groups.map((g) => [g.name, g.count, g.totals.USD])).toEqual([
      ["Best Buy", 3, 20.9],
      ["Icecat catalog", 1, 5],
    ]);
    expect(totals.USD).toBe(25.9);
    expect(count).toBe(4);
  });
  it("names unknown retailers as stored", () => {
    expect(retailerName("acme")).toBe("acme");
  });
});
