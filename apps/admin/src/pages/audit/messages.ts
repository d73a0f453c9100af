import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "Audit log",
  title: "Audit log",
  caption: "Changes made by staff and API keys, newest first",
  when: "When",
  actor: "Who",
  action: "What",
  target: "On",
  details: "Details",
  more: "Older entries",
};

export const messages: Messages<typeof en> = {
  en,
  pl: {
    nav: "Dziennik zmian",
    title: "Dziennik zmian",
    caption: "Zmiany wprowadzone przez pracowników i klucze API, od najnowszych",
    when: "Kiedy",
    actor: "Kto",
    action: "Co",
    target: "Czego dotyczy",
    details: "Szczegóły",
    more: "Starsze wpisy",
  },
};
