import "./styles.css";
import { createI18n } from "@regulars/web-ui";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { App } from "./app.tsx";
import { kioskMessages } from "./messages.ts";

const i18n = createI18n({ common: kioskMessages });

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
