import type { Credential } from "@regulars/tenancy";

export type GatewayEnv = {
  Variables: {
    requestId: string;
    credential: Credential;
  };
};
