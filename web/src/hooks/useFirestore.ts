// Live Firestore reads. Every list query is scoped by where("userId", "==", uid): the
// security rules allow a user to read only their own documents and reject any query
// that could return someone else's.
import { useEffect, useState } from "react";
import {
  collection,
  doc,
  limit,
  onSnapshot,
  orderBy,
  query,
  where,
  type Firestore,
  type Query,
} from "firebase/firestore";
import { useServices, useUser } from "../lib/context";
import type {
  CartItem,
  ConversationLog,
  Product,
  ResearchQuery,
  SavedItem,
  UserPreferences,
  VoiceSession,
} from "../lib/types";

export interface Live<T> {
  data: T;
  loading: boolean;
  error: string | null;
}

function useLiveQuery<T>(
  build: ((db: Firestore) => Query) | null,
  key: string,
  empty: T[],
): Live<T[]> {
  const { db } = useServices();
  const [state, setState] = useState<Live<T[]> & { key: string }>({
    data: empty,
    loading: build !== null,
    error: null,
    key,
  });
  useEffect(() => {
    if (!build) return;
    const unsubscribe = onSnapshot(
      build(db),
      (snapshot) => {
        setState({
          data: snapshot.docs.map((d) => ({ id: d.id, ...d.data() }) as T),
          loading: false,
          error: null,
          key,
        });
      },
      (error) => {
        setState({ data: empty, loading: false, error: error.message, key });
      },
    );
    return unsubscribe;
    // `key` captures everything `build` depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [db, key]);
  if (!build) return { data: empty, loading: false, error: null };
  // While a new query's first snapshot is on its way, show nothing of the old one.
  if (state.key !== key) return { data: empty, loading: true, error: null };
  return state;
}

const NO_PRODUCTS: Product[] = [];
const NO_SAVED: SavedItem[] = [];
const NO_LOGS: ConversationLog[] = [];
const NO_QUERIES: ResearchQuery[] = [];

export function useProducts(queryId: string | null): Live<Product[]> {
  const uid = useUser().uid;
  return useLiveQuery<Product>(
    queryId
      ? (db) =>
          query(
            collection(db, "products"),
            where("queryId", "==", queryId),
            where("userId", "==", uid),
            orderBy("systemRank"),
          )
      : null,
    `products:${uid}:${queryId ?? ""}`,
    NO_PRODUCTS,
  );
}

export function useSavedItems(): Live<SavedItem[]> {
  const uid = useUser().uid;
  return useLiveQuery<SavedItem>(
    (db) =>
      query(collection(db, "saved_items"), where("userId", "==", uid), orderBy("savedAt", "desc"), limit(50)),
    `saved:${uid}`,
    NO_SAVED,
  );
}

export function useConversation(sessionId: string | null): Live<ConversationLog[]> {
  const uid = useUser().uid;
  return useLiveQuery<ConversationLog>(
    sessionId
      ? (db) =>
          query(
            collection(db, "conversation_logs"),
            where("sessionId", "==", sessionId),
            where("userId", "==", uid),
            orderBy("timestamp"),
          )
      : null,
    `logs:${uid}:${sessionId ?? ""}`,
    NO_LOGS,
  );
}

export function useRecentQueries(count: number): Live<ResearchQuery[]> {
  const uid = useUser().uid;
  return useLiveQuery<ResearchQuery>(
    (db) =>
      query(collection(db, "queries"), where("userId", "==", uid), orderBy("createdAt", "desc"), limit(count)),
    `queries:${uid}:${count}`,
    NO_QUERIES,
  );
}

function useLiveDoc<T>(path: [string, string] | null, generation = 0): Live<T | null> {
  const { db } = useServices();
  const key = path ? `${path.join("/")}#${generation}` : "";
  const [state, setState] = useState<Live<T | null> & { key: string }>({
    data: null,
    loading: path !== null,
    error: null,
    key,
  });
  useEffect(() => {
    if (!key) return;
    const [col, id] = key.split("#")[0]?.split("/") as [string, string];
    return onSnapshot(
      doc(db, col, id),
      (snapshot) => {
        setState({
          data: snapshot.exists() ? ({ id: snapshot.id, ...snapshot.data() } as T) : null,
          loading: false,
          error: null,
          key,
        });
      },
      (error) => {
        setState({ data: null, loading: false, error: error.message, key });
      },
    );
  }, [db, key]);
  if (!key) return { data: null, loading: false, error: null };
  if (state.key !== key) return { data: null, loading: true, error: null };
  return state;
}

export function useQueryDoc(queryId: string | null): Live<ResearchQuery | null> {
  return useLiveDoc<ResearchQuery>(queryId ? ["queries", queryId] : null);
}

export function useVoiceSession(sessionId: string | null): Live<VoiceSession | null> {
  return useLiveDoc<VoiceSession>(sessionId ? ["voice_sessions", sessionId] : null);
}

/**
 * The user's preferences document. Bump `generation` to listen again: a listener on a document
 * that does not exist yet can be refused by the rules and then stays closed.
 */
export function usePreferences(generation = 0): Live<UserPreferences | null> {
  const uid = useUser().uid;
  return useLiveDoc<UserPreferences>(["user_preferences", uid], generation);
}

const NO_CART: CartItem[] = [];

export function useCartItems(): Live<CartItem[]> {
  const uid = useUser().uid;
  return useLiveQuery<CartItem>(
    (db) =>
      query(collection(db, "cart_items"), where("userId", "==", uid), orderBy("addedAt", "desc"), limit(100)),
    `cart:${uid}`,
    NO_CART,
  );
}

/**
 * The turns of several of the user's conversations, oldest first (this page's sessions and the
 * one before a reload). One listener; Firestore's `in` takes up to 30 ids, the newest are kept.
 */
export function useConversations(sessionIds: string[]): Live<ConversationLog[]> {
  const uid = useUser().uid;
  const ids = sessionIds.slice(-10);
  return useLiveQuery<ConversationLog>(
    ids.length > 0
      ? (db) =>
          query(
            collection(db, "conversation_logs"),
            where("sessionId", "in", ids),
            where("userId", "==", uid),
            orderBy("timestamp"),
          )
      : null,
    `logs:${uid}:${ids.join(",")}`,
    NO_LOGS,
  );
}
