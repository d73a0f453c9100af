export { createGatewayApp, openApiPath, type GatewayDeps } from "./app.ts";
export type { ReadinessChecks } from "./routes/health.ts";
export { registerHealthRoutes } from "./routes/health.ts";
