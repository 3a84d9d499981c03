// Runtime configuration: the static server writes /config.json next to index.html, so one
// build runs against the local emulators or production. Build-time VITE_* variables are the
// fallback for hosting that serves no config.json.

export interface AppConfig {
  projectId: string;
  apiKey: string;
  authDomain?: string;
  appId?: string;
  /** e.g. "http://127.0.0.1:9099"; set only locally. */
  authEmulatorUrl?: string;
  /** e.g. "127.0.0.1:8080"; set only locally. */
  firestoreEmulatorHost?: string;
  /** Base URL of the HTTP API, no trailing slash; e.g. "http://127.0.0.1:5001". */
  functionsBaseUrl: string;
  /** Show the Google sign-in button (production). */
  googleSignIn?: boolean;
}

export class ConfigError extends Error {}

function fromEnv(): Partial<AppConfig> {
  const env = import.meta.env;
  const pick = (key: string): string | undefined => {
    const value: unknown = env[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const config: Partial<AppConfig> = {};
  const projectId = pick("VITE_FIREBASE_PROJECT_ID");
  const apiKey = pick("VITE_FIREBASE_API_KEY");
  const authDomain = pick("VITE_FIREBASE_AUTH_DOMAIN");
  const appId = pick("VITE_FIREBASE_APP_ID");
  const functionsBaseUrl = pick("VITE_FUNCTIONS_BASE_URL");
  if (projectId) config.projectId = projectId;
  if (apiKey) config.apiKey = apiKey;
  if (authDomain) config.authDomain = authDomain;
  if (appId) config.appId = appId;
  if (functionsBaseUrl) config.functionsBaseUrl = functionsBaseUrl;
  if (pick("VITE_GOOGLE_SIGN_IN") === "true") config.googleSignIn = true;
  return config;
}

/** Validates a parsed config object; throws ConfigError naming the first problem. */
export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null) throw new ConfigError("config is not an object");
  const value = raw as Record<string, unknown>;
  const text = (key: string, required: boolean): string | undefined => {
    const field = value[key];
    if (field === undefined || field === null || field === "") {
      if (required) throw new ConfigError(`config.${key} is missing`);
      return undefined;
    }
    if (typeof field !== "string") throw new ConfigError(`config.${key} must be a string`);
    return field;
  };
  const config: AppConfig = {
    projectId: text("projectId", true) ?? "",
    apiKey: text("apiKey", true) ?? "",
    functionsBaseUrl: (text("functionsBaseUrl", true) ?? "").replace(/\/+$/, ""),
  };
  const authDomain = text("authDomain", false);
  const appId = text("appId", false);
  const authEmulatorUrl = text("authEmulatorUrl", false);
  const firestoreEmulatorHost = text("firestoreEmulatorHost", false);
  if (authDomain) config.authDomain = authDomain;
  if (appId) config.appId = appId;
  if (authEmulatorUrl) config.authEmulatorUrl = authEmulatorUrl;
  if (firestoreEmulatorHost) config.firestoreEmulatorHost = firestoreEmulatorHost;
  if (value.googleSignIn === true) config.googleSignIn = true;
  return config;
}

export async function loadConfig(): Promise<AppConfig> {
  let served: unknown = null;
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok && (response.headers.get("content-type") ?? "").includes("json")) {
      served = await response.json();
    }
  } catch {
    served = null;
  }
  return parseConfig({ ...fromEnv(), ...(served as Record<string, unknown> | null) });
}
