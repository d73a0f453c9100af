export { type ApiDeps, createApiApp } from "./app.ts";
