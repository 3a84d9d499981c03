import { useState, type FormEvent } from "react";
import { Conversation } from "../components/Conversation";
import { PageHeader, Toast } from "../components/Layout";
import { MicButton } from "../components/MicButton";
import { ProductGrid } from "../components/ProductGrid";
import { isBusy, QueryStatusLine, shownStatus } from "../components/QueryStatus";
import { StatusBadge } from "../components/StatusBadge";
import { Tabs } from "../components/Tabs";
import { useProductActions } from "../hooks/useActions";
import { useConversation, useProducts, useQueryDoc, useRecentQueries, useVoiceSession } from "../hooks/useFirestore";
import { mergeTurns, productToCard, savedToCard, type TypedTurn } from "../lib/format";
import { useVoice } from "../voice/useVoice";

type Tab = "current" | "saved";

export function VoiceShopperPage() {
  const voice = useVoice();
  const actions = useProductActions(voice.sessionId);
  const conversation = useConversation(voice.sessionId);
  const session = useVoiceSession(voice.sessionId);
  const voiceError =
    voice.error ??
    (session.data?.status === "error"
      ? "The voice session ended with an error. Press the microphone to start again."
      : null);
  const recent = useRecentQueries(1);
  // The agent's hint names the query it is talking about; otherwise show the newest one.
  const queryId = voice.hintedQueryId ?? recent.data[0]?.id ?? null;
  const queryDoc = useQueryDoc(queryId);
  const products = useProducts(queryId);
  const [tab, setTab] = useState<Tab>("current");
  const [text, setText] = useState("");
  const [typed, setTyped] = useState<TypedTurn[]>([]);

  const status = shownStatus(queryDoc.data, products.loading);
  const searching = isBusy(status);

  // Idle: start talking. Connected by typing, mic off: turn the mic on. Talking: stop.
  const toggleMic = () => {
    if (voice.state === "idle") void voice.start(true);
    else if (!voice.micOn && voice.state !== "connecting") voice.setMic(true);
    else void voice.stop();
  };

  const submitText = (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (!message) return;
    setText("");
    const timestamp = Date.now();
    setTyped((prev) => [...prev, { id: `typed-${timestamp}`, text: message, timestamp }]);
    void voice.sendText(message);
  };

  return (
    <div className="voice-page">
      <PageHeader title="Voice shopper">
        <StatusBadge state={voice.state} />
      </PageHeader>
      <div className="voice-layout">
        <section className="panel voice-panel" aria-label="Talk to the assistant">
          <MicButton state={voice.state} level={voice.level} micOn={voice.micOn} onToggle={toggleMic} />
          {voiceError && (
            <p className="error-text" role="alert" data-testid="voice-error">
              {voiceError}
            </p>
          )}
          <Conversation
            logs={mergeTurns(conversation.data, typed)}
            interim={voice.interim}
            loading={conversation.loading}
            error={conversation.error}
          />
          <form className="composer" onSubmit={submitText}>
            <label htmlFor="composer-input" className="visually-hidden">
              Type a message to the assistant
            </label>
            <input
              id="composer-input"
              type="text"
              placeholder="Or type: find running shoes under 80 dollars"
              value={text}
              onChange={(event) => setText(event.target.value)}
              autoComplete="off"
              maxLength={500}
              data-testid="composer-input"
            />
            <button type="submit" className="btn btn--primary" disabled={!text.trim()}>
              Send
            </button>
          </form>
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
