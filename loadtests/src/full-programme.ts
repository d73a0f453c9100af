import { readFileSync } from "node:fs";
import { ProgrammeConfig } from "@regulars/contracts";

/**
 * A busy but realistic programme: every rule type, caps, tiers, expiry, two stamp cards, milestones.
 * The JSON file is the source, so the same programme can be applied to a running system with
 * `pnpm regulars programme set --tenant <id> --file loadtests/programmes/full.json`.
 */
export const fullProgramme: ProgrammeConfig = ProgrammeConfig.parse(
  JSON.parse(readFileSync(new URL("../programmes/full.json", import.meta.url), "utf8")),
);
