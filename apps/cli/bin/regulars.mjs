#!/usr/bin/env node
// `pnpm regulars …` runs this bin directly: no package script in between, so pnpm echoes no command line
// before the command's own output and starts no second pnpm.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
