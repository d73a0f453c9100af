import { parseRoles, runMain } from "@regulars/runtime";
import { startBanner } from "./banner.ts";
import { startSystem } from "./system.ts";

/** `regulars-server [--role all|gateway|workers|api]`: every role in one process (`npm start`), or some of them. */
runMain("Regulars", async (config, log) => {
  const system = await startSystem(config, parseRoles(process.argv.slice(2)), log);
  return { stop: () => system.stop(), banner: startBanner(system) };
});
