import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config";
import { splitHostPort } from "./firebase";
import { errorFrom } from "./api";

describe("parseConfig", () => {
  it("accepts the local config and trims the base URL", () => {
    const config = parseConfig({
      projectId: "demo-voice-shopper",
      apiKey: "demo-api-key",
      functionsBaseUrl: "http://127.0.0.1:5001/",
      authEmulatorUrl: "http://127.0.0.1:9099",
      firestoreEmulatorHost: "127.0.0.1:8080",
    });
    expect(config.functionsBaseUrl).toBe("http://127.0.0.1:5001");
    expect(config.firestoreEmulatorHost).toBe("127.0.0.1:8080");
    expect(config.googleSignIn).toBeUndefined();
  });
  it("names a missing field", () => {
    expect(() => parseConfig({ projectId: "p", apiKey: "k" })).toThrow(/functionsBaseUrl/);
    expect(() => parseConfig(null)).toThrow(ConfigError);
    expect(() => parseConfig({ projectId: 3, apiKey: "k", functionsBaseUrl: "x" })).toThrow(/string/);
  });
});

describe("splitHostPort", () => {
  it("parses host:port with or without a scheme", () => {
    expect(splitHostPort("127.0.0.1:8080")).toEqual(["127.0.0.1", 8080]);
    expect(splitHostPort("http://localhost:9000")).toEqual(["localhost", 9000]);
    expect(() => splitHostPort("nohost")).toThrow();
  });
});

describe("errorFrom", () => {
  it("uses the API's error body", () => {
    const error = errorFrom(400, { error: { code: "invalid", message: "searchText is required" } });
    expect(error.code).toBe("invalid");
    expect(error.message).toBe("searchText is required");
  });
  it("explains a rate limit without a body", () => {
    expect(errorFrom(429, null).message).toMatch(/Too many requests/);
  });
});
