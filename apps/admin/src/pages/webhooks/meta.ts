import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "webhooks", navLabel: "nav", order: 60, roles: ["owner", "operator"] };
