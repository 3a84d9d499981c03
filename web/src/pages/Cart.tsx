import { useState } from "react";
import { PageHeader, Toast } from "../components/Layout";
import { useCartItems } from "../hooks/useFirestore";
import { ApiError } from "../lib/api";
import { groupByRetailer } from "../lib/cart";
import { useServices } from "../lib/context";
import { formatPrice, safeUrl } from "../lib/format";
import { Link } from "../lib/router";
import type { CartItem } from "../lib/types";

const MAX_QUANTITY = 99;

function Totals({ totals }: { totals: Record<string, number> }) {
  const entries = Object.entries(totals);
  return <>{entries.length === 0 ? formatPrice(0) : entries.map(([c, v]) => formatPrice(v, c)).join(" + ")}</>;
}

export function CartPage() {
  const { api } = useServices();
  const cart = useCartItems();
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const { groups, totals, count } = groupByRetailer(cart.data);

  const run = async (item: CartItem, action: () => Promise<unknown>, failure: string) => {
    setBusy((prev) => new Set(prev).add(item.id));
    try {
      await action();
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : failure);
    } finally {
      setBusy((prev) => {
        const next = new Set(prev);
        next.delete(item.id);
        return next;
      });
    }
  };
  const setQuantity = (item: CartItem, quantity: number) =>
    run(item, () => api.setCartQuantity(item.id, quantity), "Could not change the quantity.");
  const remove = (item: CartItem) =>
    run(item, () => api.removeFromCart(item.id), "Could not remove that item.").then(() =>
      setMessage(`Removed “${item.productName}”.`),
    );

  return (
    <div>
      <PageHeader title="Your cart">
        <span className="muted" data-testid="cart-summary">
          {cart.loading ? "" : count === 0 ? "Empty" : <>{count} {count === 1 ? "item" : "items"} · <Totals totals={totals} /></>}
        </span>
      </PageHeader>
      {cart.error && <p className="error-text">Could not load your cart: {cart.error}</p>}
      {!cart.loading && !cart.error && groups.length === 0 && (
        <section className="panel" data-testid="cart-empty">
          <p>
            Your cart is empty. Press “Add to cart” on a product, or say “add the first one to my cart” on the{" "}
            <Link href="/voice-shopper">voice shopper</Link>.
          </p>
        </section>
      )}
      <p className="muted intro">
        Voice Shopper doesn't take payment: each item links to its retailer, where you check out.
      </p>
      {groups.map((group) => (
        <section key={group.source} className="panel cart-group" aria-labelledby={`cart-${group.source}`} data-testid="cart-group" data-source={group.source}>
          <header className="cart-group__head">
            <h2 id={`cart-${group.source}`}>{group.name}</h2>
            <span data-testid="cart-group-total">
              {group.count} {group.count === 1 ? "item" : "items"} · <Totals totals={group.totals} />
            </span>
          </header>
          <ul className="cart-list">
            {group.items.map((item) => {
              const url = safeUrl(item.productUrl);
              const image = safeUrl(item.imageUrl);
              const pending = busy.has(item.id);
              return (
                <li key={item.id} className="cart-item" data-testid="cart-item" data-product-id={item.productId}>
                  {image ? <img src={image} alt="" loading="lazy" className="cart-item__img" /> : <span className="cart-item__img" aria-hidden="true" />}
                  <div className="cart-item__body">
                    <p className="cart-item__name">{item.productName}</p>
                    <p className="muted">
                      {formatPrice(item.price, item.currency)} each ·{" "}
                      <strong data-testid="cart-line-total">{formatPrice(item.price * item.quantity, item.currency)}</strong>
                    </p>
                    {url && (
                      <a href={url} target="_blank" rel="noopener noreferrer" className="cart-item__link">
                        Continue at {group.name}
                        <span className="visually-hidden"> for {item.productName} (opens in a new tab)</span>
                      </a>
                    )}
                  </div>
                  <div className="cart-item__qty" role="group" aria-label={`Quantity of ${item.productName}`}>
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label="One fewer"
                      disabled={pending || item.quantity <= 1}
                      onClick={() => void setQuantity(item, item.quantity - 1)}
                    >
                      −
                    </button>
                    <span data-testid="cart-quantity" aria-live="polite">
                      {item.quantity}
                    </span>
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label="One more"
                      disabled={pending || item.quantity >= MAX_QUANTITY}
                      onClick={() => void setQuantity(item, item.quantity + 1)}
                    >
                      +
                    </button>
                  </div>
                  <button type="button" className="btn btn--ghost btn--small" disabled={pending} onClick={() => void remove(item)}>
                    Remove<span className="visually-hidden"> {item.productName}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      <Toast message={message} onClose={() => setMessage(null)} />
    </div>
  );
}
