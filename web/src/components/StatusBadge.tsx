import { MIC_STATE_LABELS, type MicState, type Phase } from "../voice/useVoice";

const TONE: Record<MicState, string> = {
  idle: "neutral",
  ready: "ok",
  connecting: "warn",
  listening: "ok",
  thinking: "info",
  speaking: "accent",
};

/** What the assistant is doing, in words: never "offline" when nothing is wrong. */
export function badgeText(state: MicState, phase: Phase): string {
  if (phase === "reconnecting") return "Assistant: reconnecting";
  if (phase === "ended" && state === "idle") return "Assistant: conversation ended";
  if (state === "idle") return "Assistant: ready when you are";
  if (state === "ready") return "Assistant: connected, mic off";
  return `Assistant: ${MIC_STATE_LABELS[state].replace("…", "").toLowerCase()}`;
}

export function StatusBadge({ state, phase }: { state: MicState; phase: Phase }) {
  return (
    <span className={`badge badge--${phase === "reconnecting" ? "warn" : TONE[state]}`} data-testid="agent-status" data-phase={phase}>
      <span className="badge__dot" aria-hidden="true" />
      {badgeText(state, phase)}
    </span>
  );
}
