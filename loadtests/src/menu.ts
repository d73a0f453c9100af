// A relative path, not the package name: k6 resolves only relative imports (the file has no imports).
import { demoMenu as tenancyDemoMenu } from "../../packages/tenancy/src/demo-menu.ts";
import type { MenuItem } from "./baskets.ts";

/** The demo tenant's menu, the one `npm start` creates, so benchmarks post what the demo sells. */
export const demoMenu: readonly MenuItem[] = tenancyDemoMenu;
