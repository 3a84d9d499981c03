import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { Api } from "./lib/api";
import { loadConfig } from "./lib/config";
import { initFirebase } from "./lib/firebase";
import { watchPage } from "./lib/monitoring";
import "./styles.css";

async function boot(): Promise<void> {
  const root = document.getElementById("root");
  if (!root) throw new Error("#root missing from index.html");
  watchPage();
  try {
    const config = await loadConfig();
    const { auth, db } = initFirebase(config);
    const api = new Api(config.functionsBaseUrl, auth);
    createRoot(root).render(
      <StrictMode>
        <App services={{ config, auth, db, api }} />
      </StrictMode>,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    root.innerHTML = "";
    const box = document.createElement("main");
    box.className = "fatal";
    box.setAttribute("role", "alert");
    box.textContent = `Voice Shopper could not start: ${message}`;
    root.append(box);
  }
}

void boot();
