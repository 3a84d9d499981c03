// Small pure helpers for showing data; no React, no Firebase.
import type { CardItem, ConversationLog, Product, SavedItem } from "./types";

export function formatPrice(price: number | null | undefined, currency = "USD"): string {
  if (price === null || price === undefined || !Number.isFinite(price)) return "Price unknown";
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(price);
  } catch {
    return `${price.toFixed(2)} ${currency}`;
  }
}

export function formatRating(rating: number | null | undefined, reviews?: number | null): string | null {
  if (rating === null || rating === undefined || !Number.isFinite(rating)) return null;
  const stars = `${rating.toFixed(1)} out of 5`;
  return reviews ? `${stars} (${reviews.toLocaleString("en-US")} reviews)` : stars;
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function productToCard(product: Product): CardItem {
  return {
    productId: product.id,
    queryId: product.queryId,
    title: product.title,
    imageUrl: product.imageUrl ?? null,
    productUrl: product.productUrl,
    price: product.price,
    currency: product.currency || "USD",
    description: product.description ?? null,
    rating: product.rating ?? null,
    reviewsCount: product.reviewsCount ?? null,
    source: product.source,
    rankReasons: product.rankReasons,
    category: product.category ?? null,
    availability: product.availability,
  };
}

export function savedToCard(item: SavedItem): CardItem {
  return {
    productId: item.productId,
    title: item.productName,
    imageUrl: item.imageUrl ?? null,
    productUrl: item.productUrl ?? null,
    price: item.price ?? null,
    currency: "USD",
    description: item.description ?? null,
    rankReasons: [],
  };
}

/** Only http(s) URLs are followed or loaded; anything else is treated as missing. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** Parses a number field of a form: blank means "no limit", anything else must be a finite >= 0. */
export function parseOptionalNumber(text: string): number | null | "invalid" {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) && value >= 0 ? value : "invalid";
}

/** Splits "Sony, Bose ,  " into ["Sony", "Bose"], dropping duplicates case-insensitively. */
export function parseTagList(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim();
    if (tag && !seen.has(tag.toLowerCase())) {
      seen.add(tag.toLowerCase());
      tags.push(tag);
    }
  }
  return tags;
}

export const STATUS_LABELS: Record<string, string> = {
  pending: "Queued",
  searching: "Searching retailers…",
  loading: "Loading results…",
  completed: "Done",
  failed: "Failed",
};

/** A message the user typed, shown until the agent's log of it arrives. */
export interface TypedTurn {
  id: string;
  text: string;
  timestamp: number;
}

/**
 * The conversation as shown: logged turns plus typed messages not yet logged, by time.
 * A typed message is dropped once a user turn with the same text was logged after it was sent.
 */
export function mergeTurns(logs: ConversationLog[], typed: TypedTurn[], slackMs = 5000): ConversationLog[] {
  const norm = (text: string) => text.trim().toLowerCase().replace(/[.!?]+$/, "");
  const pending = typed.filter(
    (turn) =>
      !logs.some(
        (log) => log.speaker === "user" && norm(log.text) === norm(turn.text) && log.timestamp >= turn.timestamp - slackMs,
      ),
  );
  if (pending.length === 0) return logs;
  const extra: ConversationLog[] = pending.map((turn) => ({
    id: turn.id,
    sessionId: "",
    userId: "",
    speaker: "user",
    text: turn.text,
    timestamp: turn.timestamp,
  }));
  return [...logs, ...extra].sort((a, b) => a.timestamp - b.timestamp);
}
