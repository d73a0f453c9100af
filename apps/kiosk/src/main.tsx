import "./styles.css";
import { createI18n } from "@regulars/web-ui";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { App } from "./app.tsx";
import { adoptDeviceFromFragment } from "./device.ts";
import { checkoutMessages } from "./messages/checkout.ts";
import { identifyMessages } from "./messages/identify.ts";
import { menuMessages } from "./messages/menu.ts";
import { receiptMessages } from "./messages/receipt.ts";
import { setupMessages } from "./messages/setup.ts";
import { kioskMessages } from "./messages.ts";

const i18n = createI18n({
  common: kioskMessages,
  setup: setupMessages,
  identify: identifyMessages,
  menu: menuMessages,
  checkout: checkoutMessages,
  receipt: receiptMessages,
});
adoptDeviceFromFragment();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
