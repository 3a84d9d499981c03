import { useEffect, useState, type FormEvent } from "react";
import { PageHeader } from "../components/Layout";
import { usePreferences } from "../hooks/useFirestore";
import { ApiError } from "../lib/api";
import { useServices } from "../lib/context";
import { formatPrice, parseOptionalNumber, parseTagList } from "../lib/format";
import { PREFERENCE_LIST_FIELDS, type PreferenceListField, type PreferencesPatch, type UserPreferences } from "../lib/types";

type Field = PreferenceListField | "budgetMin" | "budgetMax";

/** The API's limit on any price (functions/shopper/models.py Price). */
const MAX_PRICE = 10_000_000;

const LABELS: Record<PreferenceListField, { label: string; hint: string }> = {
  style: { label: "Style", hint: "e.g. minimalist, sporty" },
  size: { label: "Sizes", hint: "e.g. M, 42, 10.5" },
  productCategories: { label: "Categories", hint: "e.g. headphones, running shoes" },
  brands: { label: "Brands", hint: "e.g. Sony, Nike" },
  colors: { label: "Colours", hint: "e.g. black, navy" },
};

function shown(prefs: UserPreferences | null, field: Field): string {
  if (!prefs) return "";
  if (field === "budgetMin") return prefs.budget?.min?.toString() ?? "";
  if (field === "budgetMax") return prefs.budget?.max?.toString() ?? "";
  return (prefs[field] ?? []).join(", ");
}

/** The PATCH body for the fields the user changed, or an error message. */
export function buildPatch(drafts: Partial<Record<Field, string>>, prefs: UserPreferences | null): PreferencesPatch | string {
  const patch: PreferencesPatch = {};
  for (const field of PREFERENCE_LIST_FIELDS) {
    const draft = drafts[field];
    if (draft !== undefined) patch[field] = parseTagList(draft);
  }
  if (drafts.budgetMin !== undefined || drafts.budgetMax !== undefined) {
    const min = parseOptionalNumber(drafts.budgetMin ?? shown(prefs, "budgetMin"));
    const max = parseOptionalNumber(drafts.budgetMax ?? shown(prefs, "budgetMax"));
    if (min === "invalid" || max === "invalid") return "Budget must be a number of 0 or more.";
    if (min !== null && max !== null && min > max) return "Budget minimum is above the maximum.";
    if ((min ?? 0) > MAX_PRICE || (max ?? 0) > MAX_PRICE) return "Budget can be at most $10,000,000.";
    patch.budget = { min, max };
  }
  return patch;
}

export function PreferencesPage() {
  const { api } = useServices();
  const [generation, setGeneration] = useState(0);
  const live = usePreferences(generation);
  // Before the first learning pass there may be no document to listen to: ask the API instead.
  const [fetched, setFetched] = useState<UserPreferences | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  useEffect(() => {
    if (!live.error) return;
    let cancelled = false;
    api.getPreferences().then(
      (value) => {
        if (!cancelled) setFetched(value);
      },
      (error: unknown) => {
        if (!cancelled) setFetchError(error instanceof ApiError ? error.message : "unavailable");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, live.error]);
  const prefs = {
    data: live.data ?? fetched,
    loading: live.loading,
    error: live.error && fetchError ? fetchError : null,
  };
  const [drafts, setDrafts] = useState<Partial<Record<Field, string>>>({});
  const [status, setStatus] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const manual = new Set(prefs.data?.manualFields ?? []);
  const dirty = Object.keys(drafts).length > 0;

  const value = (field: Field) => drafts[field] ?? shown(prefs.data, field);
  const edit = (field: Field, text: string) => setDrafts((prev) => ({ ...prev, [field]: text }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const patch = buildPatch(drafts, prefs.data);
    if (typeof patch === "string") {
      setStatus({ kind: "error", text: patch });
      return;
    }
    setSaving(true);
    try {
      const updated = await api.patchPreferences(patch);
      setFetched(updated);
      setDrafts({});
      if (live.error) setGeneration((g) => g + 1);
      setStatus({ kind: "ok", text: "Saved. The assistant will keep these as you set them." });
    } catch (error) {
      setStatus({ kind: "error", text: error instanceof ApiError ? error.message : "Could not save your preferences." });
    } finally {
      setSaving(false);
    }
  };

  const isEmpty = (field: string) => {
    const data = prefs.data;
    if (!data) return true;
    if (field === "budget") return data.budget?.min == null && data.budget?.max == null;
    return (data[field as PreferenceListField] ?? []).length === 0;
  };
  const origin = (field: string) =>
    !manual.has(field) && isEmpty(field) ? (
      <span className="field-empty" data-testid={`origin-${field}`}>
        Nothing learned yet
      </span>
    ) : manual.has(field) ? (
      <span className="tag tag--you" data-testid={`origin-${field}`}>
        Set by you
      </span>
    ) : (
      <span className="tag tag--learned" data-testid={`origin-${field}`}>
        Learned
      </span>
    );

  const budget = prefs.data?.budget;
  return (
    <div>
      <PageHeader title="Your preferences" />
      <p className="muted intro">
        What the assistant has learned from your searches, saves and clicks. Change anything: fields you edit are kept as
        yours and learning won't overwrite them.
      </p>
      {prefs.error && <p className="error-text">Could not load preferences: {prefs.error}</p>}
      <form className="panel prefs" onSubmit={(event) => void save(event)} noValidate aria-busy={prefs.loading}>
        {PREFERENCE_LIST_FIELDS.map((field) => (
          <div className="prefs__row" key={field}>
            <div className="prefs__head">
              <label htmlFor={`pref-${field}`}>{LABELS[field].label}</label>
              {origin(field)}
            </div>
            <input
              id={`pref-${field}`}
              value={value(field)}
              placeholder={LABELS[field].hint}
              onChange={(event) => edit(field, event.target.value)}
              aria-describedby={`pref-${field}-hint`}
            />
            <span id={`pref-${field}-hint`} className="field__hint">
              Separate several with commas.
            </span>
          </div>
        ))}
        <div className="prefs__row">
          <div className="prefs__head">
            <span id="budget-label" className="field__label">
              Budget
            </span>
            {origin("budget")}
            {budget && (budget.min != null || budget.max != null) && !drafts.budgetMin && !drafts.budgetMax && (
              <span className="muted small">
                now {budget.min != null ? formatPrice(budget.min) : "any"} – {budget.max != null ? formatPrice(budget.max) : "any"}
              </span>
            )}
          </div>
          <div className="prefs__budget" role="group" aria-labelledby="budget-label">
            <label htmlFor="pref-budget-min" className="visually-hidden">
              Budget minimum in dollars
            </label>
            <input id="pref-budget-min" inputMode="decimal" placeholder="Min $" value={value("budgetMin")} onChange={(e) => edit("budgetMin", e.target.value)} />
            <span aria-hidden="true">–</span>
            <label htmlFor="pref-budget-max" className="visually-hidden">
              Budget maximum in dollars
            </label>
            <input id="pref-budget-max" inputMode="decimal" placeholder="Max $" value={value("budgetMax")} onChange={(e) => edit("budgetMax", e.target.value)} />
          </div>
        </div>
        {status && (
          <p className={status.kind === "ok" ? "ok-text" : "error-text"} role={status.kind === "ok" ? "status" : "alert"} data-testid="prefs-status">
            {status.text}
          </p>
        )}
        <div className="prefs__actions">
          <button type="submit" className="btn btn--primary" disabled={!dirty || saving} data-testid="prefs-save">
            {saving ? "Saving…" : "Save changes"}
          </button>
          <button type="button" className="btn btn--ghost" disabled={!dirty || saving} onClick={() => setDrafts({})}>
            Discard
          </button>
        </div>
      </form>
    </div>
  );
}
