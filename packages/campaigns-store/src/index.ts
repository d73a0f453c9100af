// @regulars/campaigns-store: campaigns in Postgres. Their definitions, versions and lifecycle (admin), message
// templates, who entered a campaign and the steps run for them (runner), and results. The rules are
// `@regulars/campaigns`'s; messages themselves are `@regulars/messages-store`'s.
export { customerMessageVariables, type VariableExtras } from "./templates/variables.ts";
