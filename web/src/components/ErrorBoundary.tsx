import { Component, type ErrorInfo, type ReactNode } from "react";
import { report } from "../lib/monitoring";

interface Props {
  /** What the page is called, for the message and the report. */
  name: string;
  children: ReactNode;
}

/** One per page: a crash shows a way back instead of a blank page, and is reported. */
export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    report({
      kind: "error",
      name: `page-crash ${this.props.name}`,
      message: `${error.name}: ${error.message}`.slice(0, 300) + (info.componentStack ?? "").slice(0, 200),
    });
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="panel crash" role="alert" data-testid="page-crash">
        <h2>Something went wrong on this page</h2>
        <p>Your saved items, cart and preferences are safe. Reload the page, or go back to the voice shopper.</p>
        <div className="crash__actions">
          <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
            Reload
          </button>
          <a className="btn btn--ghost" href="/voice-shopper">
            Voice shopper
          </a>
        </div>
      </section>
    );
  }
}
