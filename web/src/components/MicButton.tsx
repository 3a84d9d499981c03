import { MIC_STATE_LABELS, type MicState } from "../voice/useVoice";

interface Props {
  state: MicState;
  level: number;
  micOn: boolean;
  onToggle: () => void;
}

/** The big round button: starts the conversation, or ends it; shows state and mic level. */
export function MicButton({ state, level, micOn, onToggle }: Props) {
  // "Active" means the button would stop talking: the mic is on, or a mic session is connecting.
  const active = state !== "idle" && state !== "ready" && (micOn || state === "connecting");
  const bars = 5;
  const lit = micOn ? Math.round(Math.min(1, level * 4) * bars) : 0;
  return (
    <div className={`mic mic--${state}`}>
      <button
        type="button"
        className="mic__button"
        onClick={onToggle}
        aria-label={active ? "Stop talking to the assistant" : "Start talking to the assistant"}
        aria-pressed={active}
        data-testid="mic-button"
        data-state={state}
      >
        <svg viewBox="0 0 24 24" width="34" height="34" aria-hidden="true">
          {active ? (
            <rect x="7" y="7" width="10" height="10" rx="2" />
          ) : (
            <path d="M12 15a3 3 0 0 0 3-3V6a3 3 0 1 0-6 0v6a3 3 0 0 0 3 3zm5.3-3a5.3 5.3 0 0 1-10.6 0H5a7 7 0 0 0 6 6.9V22h2v-3.1a7 7 0 0 0 6-6.9h-1.7z" />
          )}
        </svg>
      </button>
      <div className="mic__meter" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={bars} aria-valuenow={lit}>
        {Array.from({ length: bars }, (_, index) => (
          <span key={index} className={index < lit ? "on" : ""} />
        ))}
      </div>
      <p className="mic__state" data-testid="mic-state">
        {state === "idle" ? "Press to talk" : MIC_STATE_LABELS[state]}
      </p>
    </div>
  );
}
