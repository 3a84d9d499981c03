// The HTTP API of functions/: every write the browser makes goes through here, with the
// user's Firebase ID token. Errors come back as {"error": {"code", "message"}}.
import type { Auth } from "firebase/auth";
import { validationMessage } from "./messages";
import type {
  CartItem,
  PreferencesPatch,
  QueryPreferences,
  SavedItem,
  SignalType,
  UserPreferences,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SessionStart {
  sessionId: string;
  wsUrl: string;
  ticket: string;
}

export interface SaveItemBody {
  productId: string;
  productName: string;
  description?: string;
  imageUrl?: string;
  productUrl?: string;
  price?: number;
  sessionId?: string;
}

export interface SignalBody {
  type: SignalType;
  itemId?: string;
  queryText?: string;
  category?: string;
}

/** One event of the page's own health, logged by POST /client-events. */
export interface ClientEvent {
  kind: "vital" | "voice" | "error";
  name: string;
  value?: number;
  page?: string;
  message?: string;
  sessionId?: string;
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly auth: Auth,
  ) {}

  private async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const user = this.auth.currentUser;
    if (!user) throw new ApiError(401, "unauthenticated", "Please sign in again.");
    const token = await user.getIdToken();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = JSON.stringify(body);
      response = await fetch(`${this.baseUrl}${path}`, init);
    } catch {
      throw new ApiError(0, "network", "Could not reach the server. Check your connection.");
    }
    const text = await response.text();
    const data: unknown = text ? safeJson(text) : null;
    if (!response.ok) throw errorFrom(response.status, data);
    return data as T;
  }

  startSession(): Promise<SessionStart> {
    return this.request("POST", "/sessions", {});
  }
  /** A new single-use ticket for a session that is still active (a dropped connection);
   * it replaces the session's earlier ticket. */
  resumeSession(sessionId: string): Promise<SessionStart> {
    return this.request("POST", "/sessions", { sessionId });
  }
  endSession(sessionId: string): Promise<unknown> {
    return this.request("POST", `/sessions/${encodeURIComponent(sessionId)}/end`, {});
  }
  activeSession(): Promise<unknown> {
    return this.request("GET", "/sessions/active");
  }
  startQuery(searchText: string, preferences?: QueryPreferences): Promise<{ queryId: string }> {
    return this.request("POST", "/queries", preferences ? { searchText, preferences } : { searchText });
  }
  saveItem(body: SaveItemBody): Promise<{ id: string }> {
    return this.request("POST", "/saved-items", body);
  }
  deleteSavedItem(id: string): Promise<unknown> {
    return this.request("DELETE", `/saved-items/${encodeURIComponent(id)}`);
  }
  listSavedItems(limit = 50): Promise<{ items: SavedItem[] }> {
    return this.request("GET", `/saved-items?limit=${limit}`);
  }
  signal(body: SignalBody): Promise<unknown> {
    return this.request("POST", "/signals", body);
  }
  addToCart(productId: string, sessionId?: string | null): Promise<{ id: string; quantity: number }> {
    return this.request("POST", "/cart-items", sessionId ? { productId, sessionId } : { productId });
  }
  setCartQuantity(id: string, quantity: number): Promise<{ item: CartItem }> {
    return this.request("PATCH", `/cart-items/${encodeURIComponent(id)}`, { quantity });
  }
  removeFromCart(id: string): Promise<unknown> {
    return this.request("DELETE", `/cart-items/${encodeURIComponent(id)}`);
  }
  clientEvents(events: ClientEvent[]): Promise<unknown> {
    return this.request("POST", "/client-events", { events });
  }
  async getPreferences(): Promise<UserPreferences> {
    const reply = await this.request<{ preferences: UserPreferences }>("GET", "/preferences");
    return reply.preferences;
  }
  async patchPreferences(patch: PreferencesPatch): Promise<UserPreferences> {
    const reply = await this.request<{ preferences: UserPreferences }>("PATCH", "/preferences", patch);
    return reply.preferences;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function errorFrom(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const field = typeof error?.field === "string" ? error.field : undefined;
  const message =
    typeof error?.message === "string" && error.message
      ? code === "invalid_argument"
        ? validationMessage(field, error.message)
        : error.message
      : status === 429
        ? "Too many requests; please wait a moment."
        : `The server answered ${status}.`;
  return new ApiError(status, code, message);
}
