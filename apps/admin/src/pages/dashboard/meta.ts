import type { PageMeta } from "../../pages.ts";

export const meta: PageMeta = { path: "", navLabel: "nav", order: 0 };
