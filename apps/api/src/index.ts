export { type ApiDeps, createApiApp } from "./app.ts";
export { startApiRole } from "./role.ts";
