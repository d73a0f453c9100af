import type { RawFieldIssue } from "./field-messages.ts";

/**
 * One error vocabulary for the whole system. Domain code throws `DomainError` with a code from this
 * table; the gateway maps it to an HTTP status and the API to a tRPC code, both from here, so the same
 * failure reads the same everywhere.
 */
export const errorCodes = {
  invalid_request: { http: 400, trpc: "BAD_REQUEST" },
  /** `occurredAt` outside the accepted window (too old for an offline upload, or ahead of the clock). */
  occurred_at_out_of_range: { http: 400, trpc: "BAD_REQUEST" },
  unauthorized: { http: 401, trpc: "UNAUTHORIZED" },
  /** Staff sign-in: a wrong e-mail or password, or no valid staff session (the same words whichever it was). */
  unauthenticated: { http: 401, trpc: "UNAUTHORIZED" },
  forbidden: { http: 403, trpc: "FORBIDDEN" },
  /** An event whose `channel` is not the key's own (a kiosk key naming app): action rules pay by channel. */
  channel_not_allowed: { http: 403, trpc: "FORBIDDEN" },
  /** An event only the customer causes (`profile_completed`, a message opened) posted by a till or kiosk key. */
  event_type_not_allowed: { http: 403, trpc: "FORBIDDEN" },
  not_found: { http: 404, trpc: "NOT_FOUND" },
  /** The path is served, but not with this method: the `Allow` header names the methods it takes. */
  method_not_allowed: { http: 405, trpc: "METHOD_NOT_SUPPORTED" },
  conflict: { http: 409, trpc: "CONFLICT" },
  /** The same idempotency key (e.g. `externalId`) was used before with a different body. */
  idempotency_conflict: { http: 409, trpc: "CONFLICT" },
  /** A checkout hold could not reserve what it was asked to: each refused item is an issue with its reason. */
  hold_refused: { http: 409, trpc: "CONFLICT" },
  /**
   * The hold was committed by its sale, or released (voided, expired): it can no longer change. For a sale naming a
   * hold released, expired, past its expiry or unknown: nothing was stored (or, told by the transaction's status, the
   * ledger rejected it); quote the basket again and post the sale with the new hold, or without one.
   */
  hold_ended: { http: 409, trpc: "CONFLICT" },
  /**
   * A sale names a checkout hold priced on another basket (lines or location), or placed for another customer: void
   * the hold and quote again. Nothing was stored.
   */
  hold_mismatch: { http: 409, trpc: "CONFLICT" },
  /** A sale names a checkout hold still waiting for its customer's one-time code: confirm it first. Nothing was stored. */
  hold_unconfirmed: { http: 409, trpc: "CONFLICT" },
  /**
   * A sale names a checkout hold another sale claimed or committed: one hold pays for one sale. Nothing was stored;
   * post the sale without it, or with a new hold.
   */
  hold_used: { http: 409, trpc: "CONFLICT" },
  payload_too_large: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  unsupported_media_type: { http: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  unprocessable: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  /** An identity token that is not one of this tenant's: malformed, altered, or signed by another tenant's key. */
  token_invalid: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  /** An identity token past its expiry: the app shows a fresh one. */
  token_expired: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  /** An identity token redeemed before: each one identifies once. */
  token_used: { http: 409, trpc: "CONFLICT" },
  /** A hold's one-time code was wrong: the message says how many attempts are left (none: the hold was released). */
  confirmation_failed: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  /** A hold's one-time code expired before it was confirmed: the hold was released, place a new one for a new code. */
  confirmation_expired: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  rate_limited: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  unavailable: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  internal: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const;

export type ErrorCode = keyof typeof errorCodes;
export type TrpcCode = (typeof errorCodes)[ErrorCode]["trpc"];

export interface FieldIssue {
  path: string;
  message: string;
  /** What kind of refusal (zod's issue code: `too_small`, `invalid_format`, `custom`…), for clients that word it. */
  code?: string;
  /** The bounds or format the refusal names, so a client can say it in its own language. */
  params?: IssueParams;
}

/** The parts of a zod issue a message is made of; dates and bigints as JSON reads them. */
export interface IssueParams {
  origin?: string;
  minimum?: number | string;
  maximum?: number | string;
  inclusive?: boolean;
  exact?: boolean;
  format?: string;
  expected?: string;
  values?: (string | number | boolean | null)[];
  divisor?: number | string;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;
  constructor(code: ErrorCode, message: string, issues?: FieldIssue[]) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.issues = issues;
    // An answer to the caller (4xx: not found, invalid, conflict) is not a fault to trace, and tRPC reads every
    // error's stack: formatting it through the source maps was the costliest part of answering "not found".
    if (errorCodes[code].http < 500) this.stack = `${this.name}: ${message}`;
  }
}

export const httpStatusOf = (code: ErrorCode): number => errorCodes[code].http;
export const trpcCodeOf = (code: ErrorCode): TrpcCode => errorCodes[code].trpc;

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/**
 * Our code for a failure that reached tRPC without a DomainError (input parsing, auth middleware, tRPC
 * itself): the first code of the table with that tRPC code, else by status class.
 */
export function errorCodeOfTrpc(trpcCode: string, httpStatus: number): ErrorCode {
  for (const [code, mapping] of Object.entries(errorCodes)) if (mapping.trpc === trpcCode) return code as ErrorCode;
  return httpStatus >= 500 ? "internal" : "invalid_request";
}

/** Dotted path as integrators read it: `lines.0.quantity`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join(".") || "(body)";
}

/** Zod issues → our issue list; structural typing keeps this package free of a zod version coupling. */
export function issuesFromZod(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}): FieldIssue[] {
  return error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));
}

type ZodIssueLike = { path: ReadonlyArray<PropertyKey>; message: string } & Omit<RawFieldIssue, "input">;

/** Zod gives a date's bound as epoch milliseconds; a client formats an ISO date without knowing that. */
function jsonBound(v: number | bigint | Date | undefined, origin: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString();
  if (origin === "date" && typeof v === "number") return new Date(v).toISOString();
  return typeof v === "bigint" ? String(v) : v;
}

/**
 * Zod issues with their code and bounds beside the English message, so the admin and kiosk can say them in the
 * person's language. Only the tRPC answers carry these: the gateway's REST issues stay `{ path, message }`.
 */
export function codedIssuesFromZod(error: { issues: ReadonlyArray<ZodIssueLike> }): FieldIssue[] {
  return error.issues.map((i) => {
    const params: IssueParams = {
      origin: i.origin,
      minimum: jsonBound(i.minimum, i.origin),
      maximum: jsonBound(i.maximum, i.origin),
      inclusive: i.inclusive,
      exact: i.exact,
      format: i.format,
      expected: i.expected,
      values: i.values?.filter((v) => v === null || ["string", "number", "boolean"].includes(typeof v)) as
        | IssueParams["values"]
        | undefined,
      divisor: typeof i.divisor === "bigint" ? String(i.divisor) : i.divisor,
    };
    const set = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as IssueParams;
    return {
      path: formatIssuePath(i.path),
      message: i.message,
      ...(i.code ? { code: i.code } : {}),
      ...(Object.keys(set).length ? { params: set } : {}),
    };
  });
}

/** The JSON body every HTTP error has. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
  requestId: string;
}

export { causeChain, isConnectionFailure } from "./connection-failure.ts";
export { fieldMessage, type RawFieldIssue } from "./field-messages.ts";
export { roleRefusal } from "./role-refusal.ts";
