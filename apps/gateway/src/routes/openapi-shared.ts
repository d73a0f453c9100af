import { type ErrorCode, errorCodes } from "@regulars/errors";
import { httpDefaults } from "@regulars/http-guards";
import { z } from "zod";

/** The name of the bearer scheme every operation refers to. */
export const securitySchemeName = "apiKey";

export const FieldIssueSchema = z
  .object({
    path: z.string().meta({
      description: "The field, dotted from the body's root (`lines.0.quantity`); `(body)` for the body as a whole.",
    }),
    message: z.string().meta({
      description: "Why the value was refused, as a person reads it (`required`, `must be one of: sale, refund`).",
    }),
  })
  .meta({ id: "FieldIssue", description: "One refused field." });

export const ErrorBodySchema = z
  .object({
    code: z
      .enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]])
      .meta({ description: "What went wrong, for programs: stable, snake_case. The HTTP status follows from it." }),
    message: z.string().meta({ description: "What went wrong and what to do, for people. Never a stack trace." }),
    issues: z
      .array(FieldIssueSchema)
      .optional()
      .meta({ description: "Each refused field and why; present on 400 answers about the body." }),
    requestId: z
      .string()
      .meta({ description: "This request's id, also in the `x-request-id` header: quote it when asking for help." }),
  })
  .meta({ id: "ErrorBody", description: "Every error answer of the API has this body." });

/**
 * Example values that depend on when the document is read. Route definitions embed these tokens;
 * the document handler replaces them on every request, so "Try it out" always sends an `occurredAt`
 * inside the accepted window and an `externalId` not used before.
 */
export const exampleTokens = {
  /** An ISO timestamp `seconds` before the moment the document is served. */
  secondsAgo: (seconds: number) => `@now-${seconds}s@`,
  /** A short string unique to each serving of the document. */
  serial: "@serial@",
  /** The gateway's own base URL, as the client reached it. */
  server: "@server@",
};

export const errorResponse = (
  description: string,
  code: ErrorCode,
  message: string,
  issues?: { path: string; message: string }[],
) => ({
  description,
  content: {
    "application/json": {
      schema: ErrorBodySchema,
      example: { code, message, ...(issues ? { issues } : {}), requestId: "req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y" },
    },
  },
});

/** The error answers every ingestion route can give, each with the one error body. */
export const errorResponses = {
  400: errorResponse(
    "Invalid request (`invalid_request`) or `occurredAt` outside the accepted window (`occurred_at_out_of_range`): `issues` names each field and why",
    "invalid_request",
    "the request body is invalid: lines.0.quantity, total",
    [
      { path: "lines.0.quantity", message: "must be a whole number" },
      { path: "total", message: "must equal the lines after discounts (1450)" },
    ],
  ),
  401: errorResponse(
    "Missing, unknown or revoked API key (`unauthorized`)",
    "unauthorized",
    "send an API key as 'Authorization: Bearer <key>'",
  ),
  403: errorResponse(
    "The key's role may not call this (`forbidden`)",
    "forbidden",
    "an analyst key cannot do this; it needs a pos or kiosk key",
  ),
  413: errorResponse(
    "The body is larger than the gateway accepts (`payload_too_large`)",
    "payload_too_large",
    // The default limit, as the body limit words it; MAX_BODY_BYTES may set another.
    `the request body exceeds ${httpDefaults.maxBodyBytes} bytes`,
  ),
  415: errorResponse(
    "The body is not sent as JSON, or is declared in a charset other than UTF-8 (`unsupported_media_type`): send " +
      "`content-type: application/json` (a `charset` may only be a label of UTF-8, such as `utf-8` or `utf8`, or " +
      "`us-ascii`)",
    "unsupported_media_type",
    "send the body as JSON with 'content-type: application/json'",
  ),
  429: errorResponse(
    "Too many requests for this key (`rate_limited`): slow down and retry later",
    "rate_limited",
    "too many requests; retry later",
  ),
  500: errorResponse(
    "A failure on our side (`internal`); the request id finds it in our logs",
    "internal",
    "something went wrong on our side; the request id helps us find it",
  ),
  503: errorResponse(
    "The message could not be stored (`unavailable`): nothing was accepted, retry later",
    "unavailable",
    "the message could not be stored, retry later",
  ),
};
