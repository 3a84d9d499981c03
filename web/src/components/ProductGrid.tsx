import type { ReactNode } from "react";
import type { ProductActions } from "../hooks/useActions";
import type { CardItem } from "../lib/types";
import { ProductCard, SkeletonCard } from "./ProductCard";

interface Props {
  items: CardItem[];
  actions: ProductActions;
  /** Show placeholder cards after the real ones while more are expected. */
  pending?: boolean;
  skeletons?: number;
  showRank?: boolean;
  empty: ReactNode;
  label: string;
}

export function ProductGrid({ items, actions, pending = false, skeletons = 4, showRank = false, empty, label }: Props) {
  if (items.length === 0 && !pending) {
    return <div className="empty">{empty}</div>;
  }
  const fill = pending ? Math.max(0, skeletons - items.length) : 0;
  return (
    <div className="grid" role="list" aria-label={label} aria-busy={pending}>
      {items.map((item, index) => (
        <div role="listitem" key={item.productId} className="grid__cell">
          <ProductCard item={item} actions={actions} {...(showRank ? { rank: index + 1 } : {})} />
        </div>
      ))}
      {Array.from({ length: fill }, (_, index) => (
        <div className="grid__cell" key={`skeleton-${index}`} aria-hidden="true">
          <SkeletonCard />
        </div>
      ))}
    </div>
  );
}
