// Document shapes as stored in Firestore (functions/shopper/models.py is the source of truth).
// Times are epoch milliseconds.

export type Speaker = "user" | "agent" | "system";
export type QueryStatus = "pending" | "searching" | "completed" | "failed";
export type SignalType = "view" | "click" | "save" | "purchase" | "dislike" | "voice_query";
export type Availability = "in_stock" | "limited" | "out_of_stock" | "unknown";

export interface Product {
  id: string;
  queryId: string;
  userId: string;
  title: string;
  imageUrl?: string | null;
  productUrl: string;
  price: number;
  currency: string;
  description?: string | null;
  reviewsCount?: number | null;
  rating?: number | null;
  availability: Availability;
  source: string;
  searchRank: number;
  systemRank: number;
  rankReasons: string[];
  brand?: string | null;
  color?: string | null;
  category?: string | null;
  createdAt: number;
}

export interface SavedItem {
  id: string;
  userId: string;
  sessionId?: string | null;
  productId: string;
  productName: string;
  description?: string | null;
  imageUrl?: string | null;
  productUrl?: string | null;
  price?: number | null;
  savedAt: number;
}

export interface QueryPreferences {
  minPrice?: number | null;
  maxPrice?: number | null;
  minRating?: number | null;
  targetRetailers?: string[];
}

export interface ResearchQuery {
  id: string;
  userId: string;
  sessionId?: string | null;
  searchText: string;
  status: QueryStatus;
  preferences: QueryPreferences;
  error?: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConversationLog {
  id: string;
  sessionId: string;
  userId: string;
  speaker: Speaker;
  text: string;
  timestamp: number;
}

export interface VoiceSession {
  id: string;
  sessionId: string;
  userId: string;
  startTime: number;
  endTime?: number | null;
  status: "active" | "completed" | "error";
  /** The dialogue state the voice runtime keeps (core/shopper_core/dialogue.py); only what the page reads. */
  dialogue?: { search?: { queryId?: string | null } | null } | null;
}

export interface CartItem {
  id: string;
  userId: string;
  productId: string;
  sessionId?: string | null;
  productName: string;
  productUrl: string;
  imageUrl?: string | null;
  price: number;
  currency: string;
  source: string;
  quantity: number;
  addedAt: number;
  updatedAt?: number;
}

export interface Budget {
  min?: number | null;
  max?: number | null;
}

export interface UserPreferences {
  userId: string;
  // Optional: a document written by an older learner may lack a field.
  style?: string[];
  budget?: Budget | null;
  size?: string[];
  productCategories?: string[];
  brands?: string[];
  colors?: string[];
  lastUpdated?: number;
  manualFields?: string[];
}

/** The preference fields a user can edit (PATCH /preferences). */
export const PREFERENCE_LIST_FIELDS = ["style", "size", "productCategories", "brands", "colors"] as const;
export type PreferenceListField = (typeof PREFERENCE_LIST_FIELDS)[number];

export interface PreferencesPatch {
  style?: string[];
  budget?: Budget;
  size?: string[];
  productCategories?: string[];
  brands?: string[];
  colors?: string[];
}

/** A product as a card shows it: either a search result or a saved item. */
export interface CardItem {
  productId: string;
  /** The research query a search result belongs to (none for saved items). */
  queryId?: string;
  title: string;
  imageUrl?: string | null;
  productUrl?: string | null;
  price?: number | null;
  currency: string;
  description?: string | null;
  rating?: number | null;
  reviewsCount?: number | null;
  source?: string | null;
  rankReasons: string[];
  category?: string | null;
  availability?: Availability;
}

export const RETAILERS = [
  { id: "icecat", label: "Icecat catalog" },
  { id: "dummyjson", label: "DummyJSON" },
  { id: "serpapi", label: "Google Shopping" },
] as const;
