// The cart grouped by retailer (a product's `source`), with totals per retailer and overall.
import type { CartItem } from "./types";

const RETAILER_NAMES: Record<string, string> = {
  icecat: "Icecat catalog",
  dummyjson: "DummyJSON",
  serpapi: "Google Shopping",
  bestbuy: "Best Buy",
  catalog: "Catalog",
};

export function retailerName(source: string): string {
  return RETAILER_NAMES[source.toLowerCase()] ?? source;
}

export interface RetailerGroup {
  source: string;
  name: string;
  items: CartItem[];
  count: number;
  /** Sum per currency (a retailer normally has one). */
  totals: Record<string, number>;
}

function add(totals: Record<string, number>, currency: string, amount: number): void {
  totals[currency] = Math.round(((totals[currency] ?? 0) + amount) * 100) / 100;
}

/** Groups in order of the newest item each holds; items keep their order (newest first). */
export function groupByRetailer(items: CartItem[]): { groups: RetailerGroup[]; totals: Record<string, number>; count: number } {
  const groups = new Map<string, RetailerGroup>();
  const totals: Record<string, number> = {};
  let count = 0;
  for (const item of items) {
    let group = groups.get(item.source);
    if (!group) {
      group = { source: item.source, name: retailerName(item.source), items: [], count: 0, totals: {} };
      groups.set(item.source, group);
    }
    group.items.push(item);
    group.count += item.quantity;
    add(group.totals, item.currency, item.price * item.quantity);
    add(totals, item.currency, item.price * item.quantity);
    count += item.quantity;
  }
  return { groups: [...groups.values()], totals, count };
}
