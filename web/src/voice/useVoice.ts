// One voice conversation with the agent: POST /sessions mints a session and a WebSocket URL
// (which already carries sessionId, userId and the ticket), then @pipecat-ai/client-js speaks
// Pipecat's protobuf frames and RTVI over it. Typed text goes to the same agent as an RTVI
// "send-text" message (PipecatClient.sendText), so voice and text share one conversation.
import { useCallback, useEffect, useRef, useState } from "react";
import type { PipecatClient, TranscriptData } from "@pipecat-ai/client-js";
import { ApiError } from "../lib/api";
import { useServices } from "../lib/context";
import { meteredManager } from "./level";

/** The agent takes 16 kHz PCM16 in and speaks 24 kHz PCM16 (WavMediaManager's player rate). */
const RECORDER_SAMPLE_RATE = 16000;
const PLAYER_SAMPLE_RATE = 24000;
/**
 * Bytes of PCM16 per audio message (the recorder compares its chunk size with a byte length):
 * 1024 bytes = 512 samples = 32 ms at 16 kHz, one Silero VAD window. Smaller messages add
 * per-message work on the server for every session without hearing the user any sooner.
 */
const RECORDER_CHUNK_BYTES = 1024;

export type MicState = "idle" | "connecting" | "listening" | "thinking" | "speaking";

export const MIC_STATE_LABELS: Record<MicState, string> = {
  idle: "Idle",
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

export interface Voice {
  state: MicState;
  sessionId: string | null;
  level: number;
  micOn: boolean;
  interim: string;
  error: string | null;
  /** The query the agent last said it is showing (from a "search-results" hint). */
  hintedQueryId: string | null;
  start: (withMic: boolean) => Promise<boolean>;
  stop: () => Promise<void>;
  setMic: (on: boolean) => void;
  sendText: (text: string) => Promise<void>;
}

export function useVoice(): Voice {
  const { api } = useServices();
  const clientRef = useRef<PipecatClient | null>(null);
  const sessionRef = useRef<string | null>(null);
  const wantMicRef = useRef(false);
  const [state, setState] = useState<MicState>("idle");
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [level, setLevel] = useState(0);
  const [micOn, setMicOn] = useState(false);
  const [interim, setInterim] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [hintedQueryId, setHintedQueryId] = useState<string | null>(null);

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

  const connect = useCallback(
    async (withMic: boolean): Promise<boolean> => {
      const epoch = epochRef.current;
      wantMicRef.current = withMic;
      setError(null);
      setState("connecting");
      let session;
      try {
        session = await api.startSession();
      } catch (err) {
        setError(err instanceof ApiError ? err.message : "Could not start a voice session.");
        setState("idle");
        return false;
      }
      if (epoch !== epochRef.current) {
        void api.endSession(session.sessionId).catch(() => undefined);
        return false;
      }
      sessionRef.current = session.sessionId;
      setSessionId(session.sessionId);
      setHintedQueryId(null);
      // Loaded on first use: the voice client is most of the bundle.
      const [{ PipecatClient }, { ProtobufFrameSerializer, WavMediaManager, WebSocketTransport }] = await Promise.all([
        import("@pipecat-ai/client-js"),
        import("@pipecat-ai/websocket-transport"),
      ]);
      const transport = new WebSocketTransport({
        // The plain Web Audio media manager: the default one loads Daily's call bundle from a CDN.
        mediaManager: meteredManager(WavMediaManager, RECORDER_CHUNK_BYTES, RECORDER_SAMPLE_RATE, setLevel),
        serializer: new ProtobufFrameSerializer(),
        recorderSampleRate: RECORDER_SAMPLE_RATE,
        playerSampleRate: PLAYER_SAMPLE_RATE,
      });
      const client = new PipecatClient({
        transport,
        enableMic: withMic,
        enableCam: false,
        callbacks: {
          onBotReady: () => setState("listening"),
          onDisconnected: () => {
            if (clientRef.current === client) teardown();
          },
          onUserStartedSpeaking: () => setState("listening"),
          onUserStoppedSpeaking: () => setState("thinking"),
          onBotLlmStarted: () => setState((s) => (s === "speaking" ? s : "thinking")),
          onBotStartedSpeaking: () => setState("speaking"),
          onBotStoppedSpeaking: () => setState("listening"),
          onUserTranscript: (data: TranscriptData) => setInterim(data.final ? "" : data.text),
          onServerMessage: (data: unknown) => {
            const hint = parseHint(data);
            if (hint?.type === "search-results" && typeof hint.queryId === "string") {
              setHintedQueryId(hint.queryId);
            }
          },
          onError: (message) => {
            const data = message.data as { message?: unknown } | undefined;
            setError(typeof data?.message === "string" ? data.message : "The voice agent reported an error.");
          },
          onDeviceError: () => {
            // Typing needs no microphone: only complain when the user asked to talk.
            if (wantMicRef.current) setError("Microphone unavailable: check the browser's permission.");
          },
        },
      });
      clientRef.current = client;
      try {
        await client.connect({ wsUrl: session.wsUrl });
        if (epoch !== epochRef.current) {
          if (clientRef.current === client) clientRef.current = null;
          await client.disconnect().catch(() => undefined);
          void api.endSession(session.sessionId).catch(() => undefined);
          return false;
        }
        setMicOn(withMic);
        return true;
      } catch (err) {
        if (epoch !== epochRef.current) {
          if (clientRef.current === client) clientRef.current = null;
          return false;
        }
        clientRef.current = null;
        teardown();
        setError(err instanceof Error && err.message ? `Voice connection failed: ${err.message}` : "Voice connection failed.");
        return false;
      }
    },
    [api, teardown],
  );

  /** Opens the session, or waits for the one being opened; true once connected. */
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
    sessionRef.current = null;
    teardown();
    if (client) await client.disconnect().catch(() => undefined);
    if (id) await api.endSession(id).catch(() => undefined);
  }, [api, teardown]);

  const setMic = useCallback((on: boolean) => {
    wantMicRef.current = on;
    clientRef.current?.enableMic(on);
    setMicOn(on);
    if (!on) setLevel(0);
  }, []);

  const sendText = useCallback(
    async (text: string) => {
      if (!(await start(false))) return;
      const client = clientRef.current;
      if (!client) return;
      setState("thinking");
      try {
        await client.sendText(text, { run_immediately: true, audio_response: true });
      } catch {
        setError("Could not send your message to the agent.");
      }
    },
    [start],
  );

  // Leaving the page ends the conversation.
  useEffect(
    () => () => {
      epochRef.current += 1;
      const client = clientRef.current;
      const id = sessionRef.current;
      clientRef.current = null;
      if (client) void client.disconnect().catch(() => undefined);
      if (id) void api.endSession(id).catch(() => undefined);
    },
    [api],
  );

  return { state, sessionId, level, micOn, interim, error, hintedQueryId, start, stop, setMic, sendText };
}
