import { PageHeader, Toast } from "../components/Layout";
import { ProductGrid } from "../components/ProductGrid";
import { useProductActions } from "../hooks/useActions";
import { savedToCard } from "../lib/format";

export function SavedPage() {
  const actions = useProductActions();
  return (
    <div>
      <PageHeader title="Saved items">
        <span className="muted">{actions.savedLoading ? "" : `${actions.saved.length} saved`}</span>
      </PageHeader>
      {actions.savedError && <p className="error-text">Could not load saved items: {actions.savedError}</p>}
      <section className="panel" aria-label="Saved items" data-testid="saved-page">
        <ProductGrid
          label="Saved items"
          items={actions.saved.map(savedToCard)}
          actions={actions}
          pending={actions.savedLoading}
          empty={<p>Nothing saved yet. Tap the heart on any product to keep it here.</p>}
        />
      </section>
      <Toast message={actions.message} onClose={actions.clearMessage} />
    </div>
  );
}
