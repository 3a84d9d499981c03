// The app-wide handles (config, Firebase, API) and the signed-in user.
import { createContext, useContext } from "react";
import type { Auth, User } from "firebase/auth";
import type { Firestore } from "firebase/firestore";
import type { Api } from "./api";
import type { AppConfig } from "./config";

export interface AppServices {
  config: AppConfig;
  auth: Auth;
  db: Firestore;
  api: Api;
}

export const ServicesContext = createContext<AppServices | null>(null);
export const UserContext = createContext<User | null>(null);

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices outside <ServicesContext.Provider>");
  return services;
}

/** The signed-in user; only used under the signed-in part of the tree. */
export function useUser(): User {
  const user = useContext(UserContext);
  if (!user) throw new Error("useUser outside a signed-in page");
  return user;
}
