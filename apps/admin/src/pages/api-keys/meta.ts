import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "api-keys", navLabel: "nav", order: 70, roles: ["owner"] };
