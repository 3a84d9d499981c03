import { MIC_STATE_LABELS, type MicState } from "../voice/useVoice";

const TONE: Record<MicState, string> = {
  idle: "neutral",
  connecting: "warn",
  listening: "ok",
  thinking: "info",
  speaking: "accent",
};

export function StatusBadge({ state }: { state: MicState }) {
  return (
    <span className={`badge badge--${TONE[state]}`} data-testid="agent-status">
      <span className="badge__dot" aria-hidden="true" />
      Assistant: {state === "idle" ? "offline" : MIC_STATE_LABELS[state].replace("…", "").toLowerCase()}
    </span>
  );
}
