import { useState, type FormEvent } from "react";
import { PageHeader, Toast } from "../components/Layout";
import { ProductGrid } from "../components/ProductGrid";
import { isBusy, QueryStatusLine, shownStatus } from "../components/QueryStatus";
import { useProductActions } from "../hooks/useActions";
import { useProducts, useQueryDoc, useRecentQueries } from "../hooks/useFirestore";
import { ApiError } from "../lib/api";
import { useServices } from "../lib/context";
import { formatTime, parseOptionalNumber, productToCard, STATUS_LABELS } from "../lib/format";
import { RETAILERS, type QueryPreferences } from "../lib/types";

export interface FilterInput {
  minPrice: string;
  maxPrice: string;
  minRating: string;
  retailers: string[];
}

/** Turns the filter form into the API's preferences, or an error a person can act on. */
export function buildPreferences(input: FilterInput): QueryPreferences | string {
  const minPrice = parseOptionalNumber(input.minPrice);
  const maxPrice = parseOptionalNumber(input.maxPrice);
  const minRating = parseOptionalNumber(input.minRating);
  if (minPrice === "invalid") return "Minimum price must be a number of 0 or more.";
  if (maxPrice === "invalid") return "Maximum price must be a number of 0 or more.";
  if (minRating === "invalid" || (minRating !== null && minRating > 5)) return "Minimum rating must be between 0 and 5.";
  if (minPrice !== null && maxPrice !== null && minPrice > maxPrice) return "Minimum price is above the maximum price.";
  if ((minPrice ?? 0) > 10_000_000 || (maxPrice ?? 0) > 10_000_000) return "Prices can be at most $10,000,000.";
  const preferences: QueryPreferences = {};
  if (minPrice !== null) preferences.minPrice = minPrice;
  if (maxPrice !== null) preferences.maxPrice = maxPrice;
  if (minRating !== null) preferences.minRating = minRating;
  if (input.retailers.length > 0) preferences.targetRetailers = input.retailers;
  return preferences;
}

export function ResearchPage() {
  const { api } = useServices();
  const actions = useProductActions();
  const recent = useRecentQueries(6);
  const [selected, setSelected] = useState<string | null>(null);
  const queryId = selected ?? recent.data[0]?.id ?? null;
  const queryDoc = useQueryDoc(queryId);
  const products = useProducts(queryId);
  const [searchText, setSearchText] = useState("");
  const [filters, setFilters] = useState<FilterInput>({ minPrice: "", maxPrice: "", minRating: "", retailers: [] });
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const status = shownStatus(queryDoc.data, products.loading);
  const searching = isBusy(status) || submitting;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = searchText.trim();
    if (!text) {
      setFormError("Type what you are looking for.");
      return;
    }
    const preferences = buildPreferences(filters);
    if (typeof preferences === "string") {
      setFormError(preferences);
      return;
    }
    setFormError(null);
    setSubmitting(true);
    try {
      const { queryId: created } = await api.startQuery(text, preferences);
      setSelected(created);
    } catch (error) {
      setFormError(error instanceof ApiError ? error.message : "Could not start the search.");
    } finally {
      setSubmitting(false);
    }
  };

  const toggleRetailer = (id: string) =>
    setFilters((prev) => ({
      ...prev,
      retailers: prev.retailers.includes(id) ? prev.retailers.filter((r) => r !== id) : [...prev.retailers, id],
    }));

  return (
    <div>
      <PageHeader title="Research" />
      <form className="panel search-form" onSubmit={(event) => void submit(event)} aria-label="Product search" noValidate>
        <div className="search-form__main">
          <label htmlFor="search-text" className="visually-hidden">
            What are you looking for?
          </label>
          <input
            id="search-text"
            type="search"
            placeholder="What are you looking for? e.g. noise-cancelling headphones"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
            maxLength={300}
            data-testid="search-input"
          />
          <button type="submit" className="btn btn--primary" disabled={submitting} data-testid="search-submit">
            Search
          </button>
        </div>
        <fieldset className="filters">
          <legend className="visually-hidden">Filters</legend>
          <div className="field">
            <label htmlFor="min-price">Min price ($)</label>
            <input id="min-price" inputMode="decimal" value={filters.minPrice} onChange={(e) => setFilters({ ...filters, minPrice: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="max-price">Max price ($)</label>
            <input id="max-price" inputMode="decimal" value={filters.maxPrice} onChange={(e) => setFilters({ ...filters, maxPrice: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="min-rating">Min rating</label>
            <select id="min-rating" value={filters.minRating} onChange={(e) => setFilters({ ...filters, minRating: e.target.value })}>
              <option value="">Any</option>
              <option value="3">3+ stars</option>
              <option value="3.5">3.5+ stars</option>
              <option value="4">4+ stars</option>
              <option value="4.5">4.5+ stars</option>
            </select>
          </div>
          <div className="field field--retailers" role="group" aria-labelledby="retailers-label">
            <span id="retailers-label" className="field__label">
              Retailers
            </span>
            <div className="chips">
              {RETAILERS.map((retailer) => (
                <label key={retailer.id} className="chip">
                  <input type="checkbox" checked={filters.retailers.includes(retailer.id)} onChange={() => toggleRetailer(retailer.id)} />
                  <span>{retailer.label}</span>
                </label>
              ))}
            </div>
          </div>
        </fieldset>
        {formError && (
          <p className="error-text" role="alert" data-testid="form-error">
            {formError}
          </p>
        )}
      </form>

      {recent.data.length > 1 && (
        <nav className="history" aria-label="Recent searches">
          {recent.data.map((q) => (
            <button
              key={q.id}
              type="button"
              className={`history__item${q.id === queryId ? " history__item--on" : ""}`}
              aria-pressed={q.id === queryId}
              onClick={() => setSelected(q.id)}
            >
              <span>{q.searchText}</span>
              <small>
                {STATUS_LABELS[q.status] ?? q.status} · {formatTime(q.createdAt)}
              </small>
            </button>
          ))}
        </nav>
      )}

      <section className="panel results" aria-label="Results">
        <QueryStatusLine query={queryDoc.data} count={products.data.length} productsLoading={products.loading} />
        {products.error && <p className="error-text">Could not load products: {products.error}</p>}
        <ProductGrid
          label="Search results"
          items={products.data.map(productToCard)}
          actions={actions}
          pending={searching}
          skeletons={8}
          showRank
          empty={
            !queryId ? (
              <p>Search for anything; results appear here live as retailers answer.</p>
            ) : queryDoc.data?.status === "failed" ? (
              <p>No results: the search failed.</p>
            ) : (
              <p>No products matched these filters.</p>
            )
          }
        />
      </section>
      <Toast message={actions.message} onClose={actions.clearMessage} />
    </div>
  );
}
