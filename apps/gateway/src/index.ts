export { createGatewayApp, type GatewayDeps, openApiPath } from "./app.ts";
export { startGatewayRole } from "./role.ts";
