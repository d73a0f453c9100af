import type { Messages } from "./i18n.tsx";

const en = {
  sessionEnded: "Your session has ended. Sign in again to carry on.",
};

/** Messages of the shared pieces themselves, in the `ui` namespace of every app's i18n. */
export const uiMessages: Messages<typeof en> = {
  en,
  pl: {
    sessionEnded: "Twoja sesja wygasła. Zaloguj się ponownie, aby kontynuować.",
  },
};
