import { useEffect, useState } from "react";
import { onAuthStateChanged, type User } from "firebase/auth";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { ServicesContext, UserContext, type AppServices } from "./lib/context";
import { reportInteractive, startMonitoring, stopMonitoring } from "./lib/monitoring";
import { DEFAULT_ROUTE, navigate, normalisePath, usePath } from "./lib/router";
import { CartPage } from "./pages/Cart";
import { PreferencesPage } from "./pages/Preferences";
import { ResearchPage } from "./pages/Research";
import { SavedPage } from "./pages/Saved";
import { SignInPage } from "./pages/SignIn";
import { VoiceShopperPage } from "./pages/VoiceShopper";

export function App({ services }: { services: AppServices }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const path = usePath();
  const route = normalisePath(path);

  useEffect(() => onAuthStateChanged(services.auth, setUser), [services.auth]);

  // Page health goes out with the user's token, so only while someone is signed in.
  useEffect(() => {
    if (!user) return;
    startMonitoring(services.api);
    return stopMonitoring;
  }, [user, services.api]);

  useEffect(() => {
    if (user !== undefined) reportInteractive();
  }, [user]);

  useEffect(() => {
    if (user && !route) navigate(DEFAULT_ROUTE, true);
  }, [user, route]);

  let content;
  if (user === undefined) {
    content = (
      <main className="loading" id="main" aria-busy="true">
        <span className="spinner spinner--large" aria-hidden="true" />
        <span className="visually-hidden">Loading…</span>
      </main>
    );
  } else if (user === null) {
    content = <SignInPage />;
  } else if (route) {
    content = (
      <UserContext.Provider value={user}>
        <Layout route={route}>
          {/* key: a different user never sees the previous user's page state */}
          <ErrorBoundary name={route} key={`${user.uid}:${route}`}>
            <Page route={route} />
          </ErrorBoundary>
        </Layout>
      </UserContext.Provider>
    );
  } else {
    content = null;
  }
  return <ServicesContext.Provider value={services}>{content}</ServicesContext.Provider>;
}

function Page({ route }: { route: string }) {
  switch (route) {
    case "/research":
      return <ResearchPage />;
    case "/saved":
      return <SavedPage />;
    case "/preferences":
      return <PreferencesPage />;
    case "/cart":
      return <CartPage />;
    default:
      return <VoiceShopperPage />;
  }
}
