import { useEffect, useRef } from "react";
import { formatTime } from "../lib/format";
import type { ConversationLog } from "../lib/types";

interface Props {
  logs: ConversationLog[];
  interim: string;
  loading: boolean;
  error: string | null;
}

/** Conversation bubbles from conversation_logs; the newest turn is repeated in a live region. */
export function Conversation({ logs, interim, loading, error }: Props) {
  const endRef = useRef<HTMLDivElement>(null);
  const last = logs.at(-1);
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "nearest" });
  }, [logs.length, interim]);
  return (
    <section className="conversation" aria-label="Conversation">
      <div className="conversation__scroll" data-testid="conversation" tabIndex={0} aria-label="Conversation history">
        {error && <p className="error-text">Could not load the conversation: {error}</p>}
        {!error && logs.length === 0 && !interim && (
          <p className="conversation__empty">
            {loading ? "Loading…" : "Press the microphone and ask for something, like “find wireless headphones under 100 dollars”."}
          </p>
        )}
        {logs.map((log) => (
          <div
            key={log.id}
            className={`bubble bubble--${log.speaker}`}
            data-speaker={log.speaker}
            data-testid="bubble"
            data-logged={log.sessionId ? "true" : "false"}
          >
            <span className="bubble__who">{log.speaker === "user" ? "You" : log.speaker === "agent" ? "Assistant" : "System"}</span>
            <p title={log.speaker === "system" ? log.text : undefined}>{log.text}</p>
            <time dateTime={new Date(log.timestamp).toISOString()}>{formatTime(log.timestamp)}</time>
          </div>
        ))}
        {interim && (
          <div className="bubble bubble--user bubble--interim" aria-hidden="true">
            <span className="bubble__who">You</span>
            <p>{interim}…</p>
          </div>
        )}
        <div ref={endRef} />
      </div>
      <p className="captions" aria-live="polite" aria-atomic="true" data-testid="captions">
        {last ? `${last.speaker === "user" ? "You" : last.speaker === "agent" ? "Assistant" : "System"}: ${last.text}` : ""}
      </p>
    </section>
  );
}
