import { STATUS_LABELS } from "../lib/format";
import type { ResearchQuery } from "../lib/types";

/**
 * The status to show for a query whose products are read by a separate listener. The query
 * document can say `completed` before that listener's first snapshot arrives; until then the
 * results are still loading, not "0 products".
 */
export function shownStatus(query: ResearchQuery | null, productsLoading: boolean): string | null {
  if (!query) return null;
  return query.status === "completed" && productsLoading ? "loading" : query.status;
}

const BUSY = new Set(["pending", "searching", "loading"]);

/** Whether results for this shown status may still arrive. */
export function isBusy(status: string | null): boolean {
  return status !== null && BUSY.has(status);
}

/** One line: what was searched, its live status, and the reason when it failed. */
export function QueryStatusLine({
  query,
  count,
  productsLoading,
}: {
  query: ResearchQuery | null;
  count: number;
  productsLoading: boolean;
}) {
  const status = shownStatus(query, productsLoading);
  if (!query || !status) return null;
  return (
    <div className={`query-status query-status--${status}`} data-testid="query-status" data-status={status}>
      <span className="query-status__text">
        Results for <strong>“{query.searchText}”</strong>
      </span>
      <span className="query-status__state" role="status">
        {isBusy(status) ? <span className="spinner" aria-hidden="true" /> : null}
        {STATUS_LABELS[status] ?? status}
        {status === "completed" ? ` · ${count} ${count === 1 ? "product" : "products"}` : ""}
      </span>
      {status === "failed" && (
        <p className="error-text" data-testid="query-error">
          {query.error ?? "The search failed."}
        </p>
      )}
    </div>
  );
}
