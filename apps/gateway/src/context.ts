import type { ErrorCode } from "@regulars/errors";
import type { Credential } from "@regulars/tenancy";

export type GatewayEnv = {
  Variables: {
    requestId: string;
    credential: Credential;
    /** The code of the error the request was answered with (`errorResponse`), for the refusals counter. */
    errorCode: ErrorCode | undefined;
  };
};
