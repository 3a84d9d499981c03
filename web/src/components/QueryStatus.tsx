import { STATUS_LABELS } from "../lib/format";
import type { ResearchQuery } from "../lib/types";

/** One line: what was searched, its live status, and the reason when it failed. */
export function QueryStatusLine({ query, count }: { query: ResearchQuery | null; count: number }) {
  if (!query) return null;
  const failed = query.status === "failed";
  return (
    <div className={`query-status query-status--${query.status}`} data-testid="query-status" data-status={query.status}>
      <span className="query-status__text">
        Results for <strong>“{query.searchText}”</strong>
      </span>
      <span className="query-status__state" role="status">
        {query.status === "searching" || query.status === "pending" ? <span className="spinner" aria-hidden="true" /> : null}
        {STATUS_LABELS[query.status] ?? query.status}
        {query.status === "completed" ? ` · ${count} ${count === 1 ? "product" : "products"}` : ""}
      </span>
      {failed && (
        <p className="error-text" data-testid="query-error">
          {query.error ?? "The search failed."}
        </p>
      )}
    </div>
  );
}
