import { useEffect, useRef, useState } from "react";
import { formatPrice, formatRating, safeUrl } from "../lib/format";
import type { CardItem } from "../lib/types";
import type { ProductActions } from "../hooks/useActions";

/** How long a card must stay on screen before it counts as viewed. */
export const VIEW_DWELL_MS = 1000;

interface Props {
  item: CardItem;
  rank?: number;
  actions: ProductActions;
}

export function ProductCard({ item, rank, actions }: Props) {
  const ref = useRef<HTMLElement>(null);
  const [imageFailed, setImageFailed] = useState(false);
  const [imageLoaded, setImageLoaded] = useState(false);
  const [disliked, setDisliked] = useState(false);
  const savedId = actions.savedIdOf(item.productId);
  const saved = savedId !== undefined;
  const busy = actions.busy.has(item.productId);
  const imageUrl = safeUrl(item.imageUrl);
  const productUrl = safeUrl(item.productUrl);
  const rating = formatRating(item.rating, item.reviewsCount);
  const { viewed } = actions;

  useViewSignal(ref, () => viewed(item), item.productId);

  const titleId = `title-${item.productId}`;
  return (
    <article
      ref={ref}
      className={`card${disliked ? " card--disliked" : ""}`}
      aria-labelledby={titleId}
      data-testid="product-card"
      data-product-id={item.productId}
      data-query-id={item.queryId}
    >
      <div className="card__media">
        {/* The placeholder stays underneath until the picture has loaded, so a slow or
            unreachable image host never leaves an empty box. */}
        {!imageLoaded && <Placeholder title={item.title} />}
        {imageUrl && !imageFailed && (
          <img
            src={imageUrl}
            alt=""
            loading="lazy"
            decoding="async"
            className={imageLoaded ? "loaded" : ""}
            onLoad={() => setImageLoaded(true)}
            onError={() => setImageFailed(true)}
          />
        )}
        {rank !== undefined && <span className="card__rank">#{rank}</span>}
        {item.source && <span className="card__source">{item.source}</span>}
        <button
          type="button"
          className="icon-btn card__dislike"
          aria-pressed={disliked}
          aria-label={`Not for me: ${item.title}`}
          title="Not for me"
          onClick={() => {
            if (!disliked) actions.dislike(item);
            setDisliked(!disliked);
          }}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" width="18" height="18">
            <path d="M15 3H6c-.8 0-1.5.5-1.8 1.2l-3 7c-.1.3-.2.5-.2.8v2c0 1.1.9 2 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1L9.8 23l6.6-6.6c.4-.4.6-.9.6-1.4V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z" />
          </svg>
        </button>
      </div>
      <div className="card__body">
        <h3 className="card__title" id={titleId} title={item.title}>
          {item.title}
        </h3>
        <p className="card__price">{formatPrice(item.price, item.currency)}</p>
        <p className="card__rating">{rating ? `★ ${rating}` : "No ratings yet"}</p>
        <p className="card__desc">{item.description ?? ""}</p>
        <ul className="card__reasons" aria-label="Why this result">
          {item.rankReasons.slice(0, 2).map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      </div>
      <div className="card__actions">
        <button
          type="button"
          className={`icon-btn heart${saved ? " heart--on" : ""}`}
          aria-pressed={saved}
          aria-label={saved ? `Remove ${item.title} from saved` : `Save ${item.title}`}
          disabled={busy}
          onClick={() => void actions.toggleSave(item)}
          data-testid="save-button"
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" width="20" height="20">
            <path d="M12 21s-7.5-4.6-9.5-9.1C1 8.4 3.3 5 6.7 5c2 0 3.5 1.1 4.3 2.4h2C13.8 6.1 15.3 5 17.3 5 20.7 5 23 8.4 21.5 11.9 19.5 16.4 12 21 12 21z" />
          </svg>
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          disabled={!productUrl}
          onClick={() => actions.open(item)}
          aria-label={`View ${item.title}`}
        >
          View
        </button>
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => actions.addToCart(item)}
          aria-label={`Add to cart: ${item.title}`}
        >
          Add to cart
        </button>
      </div>
    </article>
  );
}

function Placeholder({ title }: { title: string }) {
  const initials = title
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? "")
    .join("");
  return (
    <div className="card__placeholder" aria-hidden="true">
      <svg viewBox="0 0 24 24" width="36" height="36">
        <path d="M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 14H4V6h16v12zM6 16l3.5-4.5 2.5 3 3.5-4.5L19 16H6z" />
      </svg>
      <span>{initials}</span>
    </div>
  );
}

/** Calls onView once when the element has been at least half visible for VIEW_DWELL_MS. */
function useViewSignal(ref: React.RefObject<HTMLElement | null>, onView: () => void, key: string) {
  const callback = useRef(onView);
  useEffect(() => {
    callback.current = onView;
  });
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === "undefined") return;
    let timer: number | undefined;
    let done = false;
    const observer = new IntersectionObserver(
      (entries) => {
        const visible = entries.some((entry) => entry.isIntersecting && entry.intersectionRatio >= 0.5);
        if (visible && timer === undefined && !done) {
          timer = window.setTimeout(() => {
            done = true;
            observer.disconnect();
            callback.current();
          }, VIEW_DWELL_MS);
        } else if (!visible && timer !== undefined) {
          window.clearTimeout(timer);
          timer = undefined;
        }
      },
      { threshold: [0, 0.5, 1] },
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [ref, key]);
}

export function SkeletonCard() {
  return (
    <div className="card card--skeleton" aria-hidden="true">
      <div className="card__media shimmer" />
      <div className="card__body">
        <div className="line shimmer" style={{ width: "85%" }} />
        <div className="line shimmer" style={{ width: "40%" }} />
        <div className="line shimmer" style={{ width: "60%" }} />
        <div className="line shimmer" style={{ width: "95%" }} />
      </div>
    </div>
  );
}
