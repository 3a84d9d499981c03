// One voice conversation with the agent: POST /sessions mints a session and a WebSocket URL
// (which already carries sessionId, userId and the ticket), then @pipecat-ai/client-js speaks
// Pipecat's protobuf frames and RTVI over it. Typed text goes to the same agent as an RTVI
// "send-text" message (PipecatClient.sendText), so voice and text share one conversation.
//
// Lifecycle, as the page shows it (`phase`):
//   off -> connecting -> live -> ended          the agent closed normally (goodbye: code 1000)
//                          \-> reconnecting -> live   the connection dropped: POST
//                              /sessions {sessionId} for a new single-use ticket, same session
// From `ended` or `off`, the mic or the text box starts a new conversation. Typing never opens
// the microphone; the mic opens only when the shopper presses it.
import { useCallback, useEffect, useRef, useState } from "react";
import type { PipecatClient, TranscriptData } from "@pipecat-ai/client-js";
import { ApiError, type SessionStart } from "../lib/api";
import { useServices } from "../lib/context";
import { AGENT_UNREACHABLE, micErrorMessage } from "../lib/messages";
import { report } from "../lib/monitoring";
import { quietSerializer, voiceMedia } from "./transport";

/** The agent takes 16 kHz PCM16 in and speaks 24 kHz PCM16 (WavMediaManager's player rate). */
const RECORDER_SAMPLE_RATE = 16000;
const PLAYER_SAMPLE_RATE = 24000;
/**
 * Bytes of PCM16 per audio message (the recorder compares its chunk size with a byte length):
 * 1024 bytes = 512 samples = 32 ms at 16 kHz, one Silero VAD window. Smaller messages add
 * per-message work on the server for every session without hearing the user any sooner.
 */
const RECORDER_CHUNK_BYTES = 1024;
/** Reconnect attempts after a dropped connection, and the wait before each. */
const RECONNECT_DELAYS_MS = [300, 1500, 4000];
/** A recoverable error from the agent is shown this long, then cleared. */
const TRANSIENT_ERROR_MS = 8000;

export type MicState = "idle" | "ready" | "connecting" | "listening" | "thinking" | "speaking";
export type Phase = "off" | "connecting" | "live" | "reconnecting" | "ended";

export const MIC_STATE_LABELS: Record<MicState, string> = {
  idle: "Idle",
  ready: "Mic off",
  connecting: "Connecting…",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Speaking",
};

/** RTVI server messages the agent may send (pipecat RTVIServerMessageFrame data). */
export interface ServerHint {
  type: string;
  queryId?: string;
  [key: string]: unknown;
}

export function parseHint(data: unknown): ServerHint | null {
  if (typeof data !== "object" || data === null) return null;
  const value = data as Record<string, unknown>;
  if (typeof value.type !== "string") return null;
  return value as ServerHint;
}

/** The close code in the transport's "websocket connection closed. Code: 1000" error, if any. */
export function closeCode(message: string): number | null {
  const match = /closed\. Code: (\d+)/.exec(message);
  return match?.[1] ? Number(match[1]) : null;
}

export interface Voice {
  state: MicState;
  phase: Phase;
  sessionId: string | null;
  level: number;
  micOn: boolean;
  interim: string;
  error: string | null;
  /** The query the agent last said it is showing (from a "search-results" hint). */
  hintedQueryId: string | null;
  start: (withMic: boolean) => Promise<boolean>;
  stop: () => Promise<void>;
  setMic: (on: boolean) => Promise<void>;
  sendText: (text: string) => Promise<boolean>;
  clearError: () => void;
}

async function openMicrophone(): Promise<void> {
  // Asks once, up front: a refusal is explained before any session is opened.
  // mediaDevices is missing on insecure origins (plain http other than localhost).
  if (!("mediaDevices" in navigator)) throw new DOMException("no mediaDevices", "SecurityError");
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  for (const track of stream.getTracks()) track.stop();
}

export function useVoice(): Voice {
  const { api } = useServices();
  const clientRef = useRef<PipecatClient | null>(null);
  const sessionRef = useRef<string | null>(null);
  const wantMicRef = useRef(false);
  const closeCodeRef = useRef<number | null>(null);
  const errorTimer = useRef<number | undefined>(undefined);
  const [state, setState] = useState<MicState>("idle");
  const [phase, setPhaseState] = useState<Phase>("off");
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [level, setLevel] = useState(0);
  const [micOn, setMicOn] = useState(false);
  const [interim, setInterim] = useState("");
  const [error, setErrorState] = useState<string | null>(null);
  const [hintedQueryId, setHintedQueryId] = useState<string | null>(null);

  const setPhase = useCallback((next: Phase) => {
    setPhaseState(next);
    report({ kind: "voice", name: next, ...(sessionRef.current ? { sessionId: sessionRef.current } : {}) });
  }, []);

  const setError = useCallback((message: string | null, transient = false) => {
    window.clearTimeout(errorTimer.current);
    setErrorState(message);
    if (message && transient) errorTimer.current = window.setTimeout(() => setErrorState(null), TRANSIENT_ERROR_MS);
  }, []);

  /** Connected and waiting: "listening" only when the microphone is really on. */
  const resting = useCallback((): MicState => (wantMicRef.current ? "listening" : "ready"), []);

  const teardown = useCallback(() => {
    clientRef.current = null;
    setState("idle");
    setLevel(0);
    setMicOn(false);
    setInterim("");
  }, []);

  const connectingRef = useRef<Promise<boolean> | null>(null);
  // Bumped by stop(): a connect() still in flight from before then gives up.
  const epochRef = useRef(0);
  const reconnectRef = useRef<(attempt: number) => Promise<void>>(() => Promise.resolve());

  /** Opens the WebSocket of `session` with a new PipecatClient; true once the agent is ready. */
  const open = useCallback(
    async (session: SessionStart, epoch: number): Promise<boolean> => {
      // Loaded on first use: the voice client is most of the bundle.
      const [{ LogLevel, PipecatClient }, { ProtobufFrameSerializer, WavMediaManager, WebSocketTransport }] =
        await Promise.all([import("@pipecat-ai/client-js"), import("@pipecat-ai/websocket-transport")]);
      const transport = new WebSocketTransport({
        // The plain Web Audio media manager: the default one loads Daily's call bundle from a CDN.
        mediaManager: voiceMedia(WavMediaManager, {
          chunkBytes: RECORDER_CHUNK_BYTES,
          sampleRate: RECORDER_SAMPLE_RATE,
          onLevel: setLevel,
          wantMic: () => wantMicRef.current,
          onMicError: (err) => setError(micErrorMessage(err)),
        }),
        serializer: quietSerializer(ProtobufFrameSerializer),
        recorderSampleRate: RECORDER_SAMPLE_RATE,
        playerSampleRate: PLAYER_SAMPLE_RATE,
      });
      closeCodeRef.current = null;
      const client: PipecatClient = new PipecatClient({
        transport,
        enableMic: wantMicRef.current,
        enableCam: false,
        callbacks: {
          onBotReady: () => setState(resting()),
          onDisconnected: () => {
            if (clientRef.current !== client) return; // we closed it ourselves
            teardown();
            const code = closeCodeRef.current;
            if (code === 1000) {
              // The agent ended the conversation (goodbye, idle timeout): a normal end.
              setPhase("ended");
            } else {
              void reconnectRef.current(0);
            }
          },
          onUserStartedSpeaking: () => setState("listening"),
          onUserStoppedSpeaking: () => setState("thinking"),
          onBotLlmStarted: () => setState((s) => (s === "speaking" ? s : "thinking")),
          onBotStartedSpeaking: () => {
            setState("speaking");
            setErrorState((e) => (e && errorTimer.current ? null : e));
          },
          onBotStoppedSpeaking: () => setState(resting()),
          onUserTranscript: (data: TranscriptData) => setInterim(data.final ? "" : data.text),
          onServerMessage: (data: unknown) => {
            const hint = parseHint(data);
            if (hint?.type === "search-results" && typeof hint.queryId === "string") {
              setHintedQueryId(hint.queryId);
            }
          },
          onError: (message) => {
            const data = message.data as { message?: unknown; fatal?: unknown } | undefined;
            const text = typeof data?.message === "string" ? data.message : "";
            const code = closeCode(text);
            if (code !== null) {
              closeCodeRef.current = code; // onDisconnected follows and decides
              if (code !== 1000) report({ kind: "voice", name: `closed-${code}` });
              return;
            }
            report({ kind: "error", name: "voice-agent", message: text.slice(0, 500) });
            if (!data?.fatal) setError("The assistant had a problem with that. Try saying it another way.", true);
          },
          onDeviceError: () => {
            // Typing needs no microphone: only complain when the user asked to talk.
            if (wantMicRef.current) setError(micErrorMessage(new DOMException("device", "NotReadableError")));
          },
        },
      });
      // The client's own console logging is replaced by the callbacks above, which tell the
      // shopper what happened and report it to /client-events.
      client.setLogLevel(LogLevel.NONE);
      clientRef.current = client;
      sessionRef.current = session.sessionId;
      setSessionId(session.sessionId);
      try {
        await client.connect({ wsUrl: session.wsUrl });
      } catch (err) {
        if (clientRef.current === client) clientRef.current = null;
        if (epoch === epochRef.current) report({ kind: "error", name: "voice-connect", message: String(err).slice(0, 500) });
        return false;
      }
      if (epoch !== epochRef.current) {
        if (clientRef.current === client) clientRef.current = null;
        await client.disconnect().catch(() => undefined);
        return false;
      }
      setMicOn(wantMicRef.current);
      setPhase("live");
      return true;
    },
    [resting, setError, setPhase, teardown],
  );

  const reconnect = useCallback(async (attempt: number): Promise<void> => {
    const id = sessionRef.current;
    const epoch = epochRef.current;
    if (!id) return;
    if (attempt >= RECONNECT_DELAYS_MS.length) {
      setPhase("off");
      setError(AGENT_UNREACHABLE);
      return;
    }
    setPhase("reconnecting");
    setState("connecting");
    await new Promise((resolve) => window.setTimeout(resolve, RECONNECT_DELAYS_MS[attempt]));
    if (epoch !== epochRef.current) return;
    let session: SessionStart;
    try {
      session = await api.resumeSession(id);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) {
        // The server had already closed the session: that conversation is over.
        teardown();
        setPhase("ended");
        return;
      }
      return reconnectRef.current(attempt + 1);
    }
    if (epoch !== epochRef.current) return;
    if (!(await open(session, epoch)) && epoch === epochRef.current) {
      teardown();
      return reconnectRef.current(attempt + 1);
    }
  }, [api, open, setError, setPhase, teardown]);
  useEffect(() => {
    reconnectRef.current = reconnect;
  }, [reconnect]);

  const connect = useCallback(
    async (withMic: boolean): Promise<boolean> => {
      const epoch = epochRef.current;
      setError(null);
      if (withMic) {
        try {
          await openMicrophone();
        } catch (err) {
          setError(micErrorMessage(err));
          report({ kind: "error", name: "microphone", message: err instanceof Error ? err.name : "unknown" });
          return false;
        }
      }
      wantMicRef.current = withMic;
      setState("connecting");
      setPhase("connecting");
      let session: SessionStart;
      try {
        session = await api.startSession();
      } catch (err) {
        setError(err instanceof ApiError && err.status !== 0 && err.status < 500 ? err.message : AGENT_UNREACHABLE);
        setState("idle");
        setPhase("off");
        return false;
      }
      if (epoch !== epochRef.current) {
        void api.endSession(session.sessionId).catch(() => undefined);
        return false;
      }
      setHintedQueryId(null);
      const opened = await open(session, epoch);
      if (!opened && epoch === epochRef.current) {
        teardown();
        setPhase("off");
        setError(AGENT_UNREACHABLE);
        void api.endSession(session.sessionId).catch(() => undefined);
      }
      return opened;
    },
    [api, open, setError, setPhase, teardown],
  );

  /** Opens a session, or waits for the one being opened; true once connected. */
  const start = useCallback(
    (withMic: boolean): Promise<boolean> => {
      if (connectingRef.current) return connectingRef.current;
      if (clientRef.current) return Promise.resolve(true);
      const pending = connect(withMic).finally(() => {
        connectingRef.current = null;
      });
      connectingRef.current = pending;
      return pending;
    },
    [connect],
  );

  const stop = useCallback(async () => {
    epochRef.current += 1;
    const client = clientRef.current;
    const id = sessionRef.current;
    clientRef.current = null;
    teardown();
    setPhase(id ? "ended" : "off");
    if (client) await client.disconnect().catch(() => undefined);
    if (id) await api.endSession(id).catch(() => undefined);
  }, [api, setPhase, teardown]);

  const setMic = useCallback(
    async (on: boolean) => {
      const client = clientRef.current;
      if (!client) return;
      try {
        if (on) await openMicrophone();
        client.enableMic(on);
      } catch (err) {
        setError(micErrorMessage(err));
        return;
      }
      wantMicRef.current = on;
      setMicOn(on);
      setState((s) => (s === "listening" || s === "ready" ? (on ? "listening" : "ready") : s));
      if (!on) setLevel(0);
    },
    [setError],
  );

  const sendText = useCallback(
    async (text: string): Promise<boolean> => {
      // A new conversation after an ended one keeps the mic as it was: off, unless pressed.
      if (!clientRef.current && !connectingRef.current) wantMicRef.current = false;
      if (!(await start(wantMicRef.current))) return false;
      const client = clientRef.current;
      if (!client) return false;
      setState("thinking");
      try {
        await client.sendText(text, { run_immediately: true, audio_response: true });
        return true;
      } catch {
        setState(resting());
        setError("Your message didn't reach the assistant. Send it again.", true);
        return false;
      }
    },
    [resting, setError, start],
  );

  const clearError = useCallback(() => setError(null), [setError]);

  // Leaving the page ends the conversation.
  useEffect(
    () => () => {
      epochRef.current += 1;
      window.clearTimeout(errorTimer.current);
      const client = clientRef.current;
      const id = sessionRef.current;
      clientRef.current = null;
      if (client) void client.disconnect().catch(() => undefined);
      if (id) void api.endSession(id).catch(() => undefined);
    },
    [api],
  );

  return {
    state,
    phase,
    sessionId,
    level,
    micOn,
    interim,
    error,
    hintedQueryId,
    start,
    stop,
    setMic,
    sendText,
    clearError,
  };
}
