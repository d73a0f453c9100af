export { createGatewayApp, type GatewayDeps, openApiPath } from "./app.ts";
