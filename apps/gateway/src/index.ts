export { createGatewayApp, openApiPath, type GatewayDeps } from "./app.ts";
