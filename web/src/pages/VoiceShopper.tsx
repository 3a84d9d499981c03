import { useEffect, useState, type FormEvent } from "react";
import { Conversation } from "../components/Conversation";
import { PageHeader, Toast } from "../components/Layout";
import { MicButton } from "../components/MicButton";
import { ProductGrid } from "../components/ProductGrid";
import { isBusy, QueryStatusLine, shownStatus } from "../components/QueryStatus";
import { StatusBadge } from "../components/StatusBadge";
import { Tabs } from "../components/Tabs";
import { useProductActions } from "../hooks/useActions";
import { useConversations, useProducts, useQueryDoc, useRecentQueries, useVoiceSession } from "../hooks/useFirestore";
import { useUser } from "../lib/context";
import { mergeTurns, productToCard, savedToCard, type TypedTurn } from "../lib/format";
import { MAX_TYPED_CHARS, typedTooLong } from "../lib/messages";
import { useVoice } from "../voice/useVoice";

type Tab = "current" | "saved";

/** Where the page remembers the user's last conversation, so a reload shows it again. */
const lastSessionKey = (uid: string) => `voice-shopper:last-session:${uid}`;

function readLastSession(uid: string): string | null {
  try {
    return window.localStorage.getItem(lastSessionKey(uid));
  } catch {
    return null;
  }
}

export function VoiceShopperPage() {
  const uid = useUser().uid;
  const voice = useVoice();
  const actions = useProductActions(voice.sessionId);
  // The conversation before this page load (reload, or coming back to the page), then every
  // conversation started on this page: a goodbye ends one, the turns stay on screen.
  const [restoredId] = useState(() => readLastSession(uid));
  const [sessionIds, setSessionIds] = useState<string[]>(() => (restoredId ? [restoredId] : []));
  if (voice.sessionId && !sessionIds.includes(voice.sessionId)) setSessionIds([...sessionIds, voice.sessionId]);
  const conversation = useConversations(sessionIds);
  const session = useVoiceSession(voice.sessionId ?? restoredId);
  useEffect(() => {
    const id = voice.sessionId;
    if (!id) return;
    try {
      window.localStorage.setItem(lastSessionKey(uid), id);
    } catch {
      // Private mode: the conversation just isn't restored on reload.
    }
  }, [uid, voice.sessionId]);

  const voiceError =
    voice.error ??
    (session.data?.status === "error" && voice.sessionId
      ? "The conversation stopped because of a problem on our side. Press the mic or type to start a new one."
      : null);
  const recent = useRecentQueries(1);
  // The agent's hint names the query it is talking about; then the session's dialogue state
  // (what was on screen, kept across reloads); otherwise the newest query.
  const queryId = voice.hintedQueryId ?? session.data?.dialogue?.search?.queryId ?? recent.data[0]?.id ?? null;
  const queryDoc = useQueryDoc(queryId);
  const products = useProducts(queryId);
  const [tab, setTab] = useState<Tab>("current");
  const [text, setText] = useState("");
  const [typed, setTyped] = useState<TypedTurn[]>([]);
  const [chatOpen, setChatOpen] = useState(false);

  const status = shownStatus(queryDoc.data, products.loading);
  const searching = isBusy(status);
  const tooLong = text.length > MAX_TYPED_CHARS;
  const logs = mergeTurns(conversation.data, typed);
  const showingResults = products.data.length > 0 || searching;

  // Idle: start talking. Connected by typing, mic off: turn the mic on. Talking: stop.
  const toggleMic = () => {
    if (voice.state === "idle") void voice.start(true);
    else if (voice.state === "ready" || (!voice.micOn && voice.state !== "connecting")) void voice.setMic(true);
    else void voice.stop();
  };

  const submitText = (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (!message || tooLong) return;
    setText("");
    setChatOpen(false);
    const timestamp = Date.now();
    setTyped((prev) => [...prev, { id: `typed-${timestamp}`, text: message, timestamp }]);
    void voice.sendText(message);
  };

  return (
    <div className="voice-page">
      <PageHeader title="Voice shopper">
        <StatusBadge state={voice.state} phase={voice.phase} />
      </PageHeader>
      <div className="voice-layout">
        <section
          className={`panel voice-panel${showingResults && !chatOpen ? " voice-panel--compact" : ""}`}
          aria-label="Talk to the assistant"
        >
          <MicButton state={voice.state} level={voice.level} micOn={voice.micOn} onToggle={toggleMic} />
          {voiceError && (
            <div className="voice-error" role="alert">
              <p className="error-text" data-testid="voice-error">
                {voiceError}
              </p>
              <button type="button" className="icon-btn" aria-label="Dismiss" onClick={voice.clearError}>
                ×
              </button>
            </div>
          )}
          {voice.phase === "ended" && !voiceError && (
            <p className="notice" role="status" data-testid="session-ended">
              The conversation has ended. Press the mic or type below to start a new one.
            </p>
          )}
          {voice.phase === "reconnecting" && (
            <p className="notice" role="status" data-testid="reconnecting">
              Connection lost. Reconnecting to the same conversation…
            </p>
          )}
          <Conversation
            logs={logs}
            interim={voice.interim}
            loading={conversation.loading}
            error={conversation.error}
          />
          {showingResults && logs.length > 1 && (
            <button
              type="button"
              className="btn btn--ghost btn--small chat-toggle"
              aria-expanded={chatOpen}
              onClick={() => setChatOpen((open) => !open)}
              data-testid="chat-toggle"
            >
              {chatOpen ? "Show less of the conversation" : `Show the whole conversation (${logs.length})`}
            </button>
          )}
          <form className="composer" onSubmit={submitText}>
            <label htmlFor="composer-input" className="visually-hidden">
              Type a message to the assistant
            </label>
            <input
              id="composer-input"
              type="text"
              placeholder="Or type a request"
              value={text}
              onChange={(event) => setText(event.target.value)}
              autoComplete="off"
              aria-describedby="composer-count"
              aria-invalid={tooLong}
              data-testid="composer-input"
            />
            <button type="submit" className="btn btn--primary" disabled={!text.trim() || tooLong}>
              Send
            </button>
          </form>
          <p
            id="composer-count"
            className={tooLong ? "error-text composer__count" : "muted composer__count"}
            data-testid="composer-count"
            aria-live={tooLong ? "polite" : "off"}
          >
            {tooLong ? typedTooLong(text.length) : text.length > MAX_TYPED_CHARS * 0.8 ? `${text.length}/${MAX_TYPED_CHARS}` : ""}
          </p>
        </section>
        <section className="panel products-panel" aria-label="Products">
          <Tabs
            idPrefix="voice"
            label="Product lists"
            selected={tab}
            onSelect={(id) => setTab(id as Tab)}
            tabs={[
              { id: "current", label: "Current", count: products.data.length },
              { id: "saved", label: "Saved", count: actions.saved.length },
            ]}
          />
          <div
            role="tabpanel"
            id={`voice-panel-${tab}`}
            aria-labelledby={`voice-tab-${tab}`}
            className="tabpanel"
            data-testid={`panel-${tab}`}
          >
            {tab === "current" ? (
              <>
                <QueryStatusLine query={queryDoc.data} count={products.data.length} productsLoading={products.loading} />
                {products.error && <p className="error-text">Could not load products: {products.error}</p>}
                <ProductGrid
                  label="Current results"
                  items={products.data.map(productToCard)}
                  actions={actions}
                  pending={searching}
                  showRank
                  empty={
                    queryDoc.data?.status === "completed" ? (
                      <p>No products matched. Try a broader request.</p>
                    ) : queryDoc.data?.status === "failed" ? (
                      <p>The search didn't work this time. Try again.</p>
                    ) : (
                      <p>Products the assistant finds will appear here as they arrive.</p>
                    )
                  }
                />
              </>
            ) : (
              <ProductGrid
                label="Saved items"
                items={actions.saved.map(savedToCard)}
                actions={actions}
                pending={actions.savedLoading}
                empty={<p>Nothing saved yet. Tap the heart on a product, or say “save the first one”.</p>}
              />
            )}
          </div>
        </section>
      </div>
      <Toast message={actions.message} onClose={actions.clearMessage} />
    </div>
  );
}
