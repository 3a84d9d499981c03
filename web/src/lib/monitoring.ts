// The page's own health, reported where the rest of the logs go (POST /client-events, one JSON
// log line per event): web-vitals (TTFB, FCP, LCP, INP, CLS), time to interactive (the first
// page of the signed-in app rendered and ready for input), voice connection state changes, and
// errors the page caught. Events are batched (at most 20 per request, one request per ten
// seconds) and dropped, never retried, if the API cannot take them. No token, ticket or
// typed text is ever put in an event.
import type { Metric } from "web-vitals";
import type { Api, ClientEvent } from "./api";

// Seldom: page health must not compete with the shopper's own requests (rate limit, contention).
const FLUSH_MS = 10_000;
const MAX_BATCH = 20;
const MAX_QUEUE = 100;

let api: Api | null = null;
let queue: ClientEvent[] = [];
let timer: number | undefined;
let interactiveReported = false;

function page(): string {
  return window.location.pathname.replace(/[^\w/.-]/g, "").slice(0, 200) || "/";
}

/** Queue one event; sent with the next batch once the API is known (signed in). */
export function report(event: ClientEvent): void {
  if (queue.length >= MAX_QUEUE) return;
  queue.push({ page: page(), ...event, name: event.name.replace(/[^\w .:/-]/g, "").slice(0, 60) || "unknown" });
  schedule();
}

function schedule(): void {
  if (timer !== undefined || !api) return;
  timer = window.setTimeout(flush, FLUSH_MS);
}

function flush(): void {
  timer = undefined;
  if (!api) return;
  const batch = queue.slice(0, MAX_BATCH);
  queue = queue.slice(MAX_BATCH);
  if (batch.length > 0) void api.clientEvents(batch).catch(() => undefined);
  if (queue.length > 0) schedule();
}

/** Start sending (the client routes need a signed-in user); before then events wait. */
export function startMonitoring(client: Api): void {
  api = client;
  schedule();
}

export function stopMonitoring(): void {
  api = null;
  window.clearTimeout(timer);
  timer = undefined;
}

function vital(metric: Metric): void {
  report({ kind: "vital", name: metric.name, value: Math.max(0, metric.value) });
}

/** Collect web-vitals and caught errors for the life of the page. */
export function watchPage(): void {
  void import("web-vitals").then(({ onCLS, onFCP, onINP, onLCP, onTTFB }) => {
    onTTFB(vital);
    onFCP(vital);
    onLCP(vital);
    onINP(vital);
    onCLS(vital);
  });
  window.addEventListener("error", (event) => {
    report({ kind: "error", name: "window-error", message: event.message.slice(0, 500) });
  });
  window.addEventListener("unhandledrejection", (event) => {
    const reason = event.reason instanceof Error ? event.reason.message : String(event.reason);
    report({ kind: "error", name: "unhandled-rejection", message: reason.slice(0, 500) });
  });
}

/** The signed-in app is on screen and takes input: report once per page load. */
export function reportInteractive(): void {
  if (interactiveReported) return;
  interactiveReported = true;
  report({ kind: "vital", name: "TTI", value: Math.round(performance.now()) });
}
