// One Firebase app per page, wired to the emulators when the config names them.
import { initializeApp, type FirebaseApp } from "firebase/app";
import { connectAuthEmulator, getAuth, type Auth } from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import type { AppConfig } from "./config";

export interface FirebaseHandles {
  app: FirebaseApp;
  auth: Auth;
  db: Firestore;
}

export function initFirebase(config: AppConfig): FirebaseHandles {
  const options: Record<string, string> = { projectId: config.projectId, apiKey: config.apiKey };
  if (config.authDomain) options.authDomain = config.authDomain;
  if (config.appId) options.appId = config.appId;
  const app = initializeApp(options);
  const auth = getAuth(app);
  const db = getFirestore(app);
  if (config.authEmulatorUrl) {
    connectAuthEmulator(auth, config.authEmulatorUrl, { disableWarnings: true });
  }
  if (config.firestoreEmulatorHost) {
    const [host, port] = splitHostPort(config.firestoreEmulatorHost);
    connectFirestoreEmulator(db, host, port);
  }
  return { app, auth, db };
}

export function splitHostPort(hostPort: string): [string, number] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort.replace(/^https?:\/\//, ""));
  if (!match?.[1] || !match[2]) throw new Error(`bad host:port "${hostPort}"`);
  return [match[1], Number(match[2])];
}
