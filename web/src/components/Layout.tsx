import { useEffect, useRef, type ReactNode } from "react";
import { signOut } from "firebase/auth";
import { useServices, useUser } from "../lib/context";
import { Link, type Route } from "../lib/router";

const NAV: { href: Route; label: string }[] = [
  { href: "/voice-shopper", label: "Voice shopper" },
  { href: "/research", label: "Research" },
  { href: "/saved", label: "Saved" },
  { href: "/cart", label: "Cart" },
  { href: "/preferences", label: "Preferences" },
];

const TITLES: Record<Route, string> = {
  "/voice-shopper": "Voice shopper",
  "/research": "Research",
  "/saved": "Saved items",
  "/cart": "Your cart",
  "/preferences": "Your preferences",
};

export function Layout({ route, children }: { route: Route; children: ReactNode }) {
  const { auth } = useServices();
  const user = useUser();
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    document.title = `${TITLES[route]} · Voice Shopper`;
  }, [route]);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/voice-shopper" className="brand" aria-label="Voice Shopper home">
          <span className="brand__logo" aria-hidden="true">
            ◉
          </span>
          <span className="brand__name">Voice Shopper</span>
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={route === item.href ? "page" : undefined} className="nav__link">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="account__email" title={user.email ?? ""} data-testid="user-email">
            {user.email ?? "Signed in"}
          </span>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => void signOut(auth)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children}
    </div>
  );
}

export function Toast({ message, onClose }: { message: string | null; onClose: () => void }) {
  useEffect(() => {
    if (!message) return;
    const timer = window.setTimeout(onClose, 4000);
    return () => window.clearTimeout(timer);
  }, [message, onClose]);
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {message && (
        <div className="toast">
          <span>{message}</span>
          <button type="button" className="icon-btn icon-btn--light" aria-label="Dismiss" onClick={onClose}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
