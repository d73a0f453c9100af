import type { Messages } from "@regulars/web-ui";

const en = { welcome: "Welcome", language: "Language" };

export const kioskMessages: Messages<typeof en> = { en, pl: { welcome: "Witamy", language: "Język" } };
