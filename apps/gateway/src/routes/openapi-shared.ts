import { z } from "zod";

export const ErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  requestId: z.string(),
});

const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorBodySchema } } });

export const errorResponses = {
  400: error("Invalid request: `issues` names each field and why"),
  401: error("Missing or unknown API key"),
  403: error("The key's role may not call this"),
  413: error("Body too large"),
  503: error("The message could not be stored; retry"),
};
