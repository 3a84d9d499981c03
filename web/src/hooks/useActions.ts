// What a product card can do: save/unsave, open, add to cart, dislike; each also records an
// interaction signal for preference learning. Signals are best effort: a failed signal never
// blocks the user's action.
import { useCallback, useMemo, useState } from "react";
import { ApiError, type SignalBody } from "../lib/api";
import { safeUrl } from "../lib/format";
import { useServices } from "../lib/context";
import type { CardItem, SavedItem } from "../lib/types";
import { useSavedItems } from "./useFirestore";

export interface ProductActions {
  savedIdOf: (productId: string) => string | undefined;
  toggleSave: (item: CardItem) => Promise<void>;
  open: (item: CardItem) => void;
  addToCart: (item: CardItem) => Promise<void>;
  dislike: (item: CardItem) => void;
  viewed: (item: CardItem) => void;
  busy: ReadonlySet<string>;
  message: string | null;
  clearMessage: () => void;
  saved: SavedItem[];
  savedLoading: boolean;
  savedError: string | null;
}

export function useProductActions(sessionId?: string | null): ProductActions {
  const { api } = useServices();
  const saved = useSavedItems();
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);

  const savedIds = useMemo(() => {
    const map = new Map<string, string>();
    for (const item of saved.data) map.set(item.productId, item.id);
    return map;
  }, [saved.data]);

  const signal = useCallback(
    (body: SignalBody) => {
      api.signal(body).catch(() => undefined);
    },
    [api],
  );

  const toggleSave = useCallback(
    async (item: CardItem) => {
      setBusy((prev) => new Set(prev).add(item.productId));
      try {
        const savedId = savedIds.get(item.productId);
        if (savedId) {
          await api.deleteSavedItem(savedId);
        } else {
          const body: Parameters<typeof api.saveItem>[0] = {
            productId: item.productId,
            productName: item.title.slice(0, 300),
          };
          if (item.description) body.description = item.description.slice(0, 4000);
          const imageUrl = safeUrl(item.imageUrl);
          if (imageUrl) body.imageUrl = imageUrl;
          const productUrl = safeUrl(item.productUrl);
          if (productUrl) body.productUrl = productUrl;
          if (item.price !== null && item.price !== undefined) body.price = item.price;
          if (sessionId) body.sessionId = sessionId;
          await api.saveItem(body);
          signal({ type: "save", itemId: item.productId, ...(item.category ? { category: item.category } : {}) });
        }
      } catch (error) {
        setMessage(error instanceof ApiError ? error.message : "Could not update saved items.");
      } finally {
        setBusy((prev) => {
          const next = new Set(prev);
          next.delete(item.productId);
          return next;
        });
      }
    },
    [api, savedIds, sessionId, signal],
  );

  const clearMessage = useCallback(() => setMessage(null), []);

  const withCategory = (item: CardItem) => (item.category ? { category: item.category } : {});

  return {
    savedIdOf: (productId) => savedIds.get(productId),
    toggleSave,
    open: (item) => {
      signal({ type: "click", itemId: item.productId, ...withCategory(item) });
      const url = safeUrl(item.productUrl);
      if (url) window.open(url, "_blank", "noopener,noreferrer");
    },
    addToCart: async (item) => {
      // The cart copies name, price and retailer from the stored product and records the
      // purchase-intent signal itself.
      try {
        const added = await api.addToCart(item.productId, sessionId);
        setMessage(
          added.quantity > 1
            ? `“${item.title}” is in your cart (${added.quantity}).`
            : `Added “${item.title}” to your cart.`,
        );
      } catch (error) {
        setMessage(
          error instanceof ApiError && error.status === 404
            ? "That product is no longer in your results; search for it again to add it."
            : error instanceof ApiError
              ? error.message
              : "Could not add that to your cart.",
        );
      }
    },
    dislike: (item) => {
      signal({ type: "dislike", itemId: item.productId, ...withCategory(item) });
      setMessage(`Got it: fewer results like “${item.title}”.`);
    },
    viewed: (item) => {
      signal({ type: "view", itemId: item.productId, ...withCategory(item) });
    },
    busy,
    message,
    clearMessage,
    saved: saved.data,
    savedLoading: saved.loading,
    savedError: saved.error,
  };
}
