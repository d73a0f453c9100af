import { type ApiIssue, failureTexts, issueText, refusalText, serverText } from "./error-texts.ts";
import type { Language } from "./i18n.tsx";

/** The house error body, as the gateway answers it and as tRPC errors carry it in `data.error`. */
export interface ApiFailure {
  code: string;
  message: string;
  issues?: ApiIssue[];
  requestId?: string;
}

export interface ErrorTextOptions {
  /** The page's language (`createI18n` keeps it on `<html lang>`) when absent. */
  language?: Language;
  /** The form's labels by field path (`email`, `rules.0.rate`), so a banner names fields as the form does. */
  labels?: Record<string, string>;
}

/**
 * An answer whose body is no JSON at all: a proxy's own error page (an HTML 502 or 504) in front of the API. The
 * API client throws it in place of the JSON parser's error, so the status the proxy gave is kept.
 */
export class UnreadableAnswer extends Error {
  constructor(
    readonly status: number,
    options?: ErrorOptions,
    /** The answer's headers: a proxy's own 429 page may still say how long to wait (`Retry-After`). */
    readonly headers: Headers = new Headers(),
  ) {
    super(`the server answered ${status} with a body that is not JSON`, options);
    this.name = "UnreadableAnswer";
  }
}

const isHouseBody = (value: unknown): value is ApiFailure =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ApiFailure).code === "string" &&
  typeof (value as ApiFailure).message === "string";

/**
 * The house body of a failed call. tRPC's client finds it in `data.error` when tRPC answered; the API's guards
 * (rate limit, CSRF, body too large, database unreachable) answer it before tRPC runs, in a shape the client cannot
 * read, so it is only in `meta.responseJSON`.
 */
function bodyOf(err: unknown): ApiFailure | null {
  if (!err || typeof err !== "object") return null;
  const { data, meta } = err as { data?: { error?: ApiFailure }; meta?: { responseJSON?: unknown } };
  if (data?.error?.code) return data.error;
  if (isHouseBody(meta?.responseJSON)) return meta.responseJSON;
  if ("code" in err && "message" in err && typeof (err as ApiFailure).code === "string") return err as ApiFailure;
  return null;
}

/** The HTTP status a failed call was answered with, wherever tRPC's client kept it; undefined when none came. */
export function failureStatus(err: unknown): number | undefined {
  if (!err || typeof err !== "object") return undefined;
  const { data, meta, cause } = err as {
    data?: { httpStatus?: number };
    meta?: { response?: { status?: number } };
    cause?: unknown;
  };
  const status = data?.httpStatus ?? meta?.response?.status ?? (cause instanceof UnreadableAnswer ? cause.status : NaN);
  return Number.isInteger(status) ? status : undefined;
}

/** Refused for what was asked (400-499), not failed on the server's side or on the way. */
export const isRefusal = (err: unknown): boolean => {
  const status = failureStatus(err);
  return status !== undefined && status >= 400 && status < 500;
};

/**
 * How long the server asked to be left alone (`Retry-After`, in seconds or as a date), in milliseconds; undefined
 * when it did not say. tRPC's client keeps the response in `meta.response`; a body no one could read keeps its
 * headers in the `UnreadableAnswer` it is wrapped in.
 */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  if (!err || typeof err !== "object") return undefined;
  const { meta, cause } = err as { meta?: { response?: { headers?: unknown } }; cause?: unknown };
  const headers = meta?.response?.headers ?? (cause instanceof UnreadableAnswer ? cause.headers : undefined);
  const value = headers instanceof Headers ? headers.get("retry-after")?.trim() : undefined;
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A rate limit that asks for longer than this is said at once: nobody waits that long for a card to load. */
export const LONGEST_RETRY_WAIT_MS = 10_000;

/**
 * Whether asking the same again may be answered otherwise: not after a refusal, unless it was of too many calls
 * and the server asked to wait no longer than `LONGEST_RETRY_WAIT_MS`.
 */
export const mayRetry = (err: unknown): boolean =>
  !isRefusal(err) || (failureStatus(err) === 429 && (retryAfterMs(err) ?? 0) <= LONGEST_RETRY_WAIT_MS);

/** The wait before the next attempt: what `Retry-After` asked for, else TanStack's own (1 s, 2 s, 4 s… up to 30 s). */
export const retryDelay = (failures: number, err: unknown): number =>
  retryAfterMs(err) ?? Math.min(1000 * 2 ** failures, 30_000);

const pageLanguage = (): Language =>
  globalThis.document?.documentElement.lang?.toLowerCase().startsWith("pl") ? "pl" : "en";

/** A field's label, or the label of the nearest labelled field containing it (`tiers` for `tiers.levels.0.id`). */
function labelOf(path: string, labels: Record<string, string>): string | undefined {
  for (let parts = path.split("."); parts.length; parts = parts.slice(0, -1)) {
    const label = labels[parts.join(".")];
    if (label) return label;
  }
  return undefined;
}

function headline(body: ApiFailure, language: Language, labels: Record<string, string> | undefined): string {
  const texts = failureTexts[language];
  // The server lists refused paths for integrators; a person reads the form's labels, or the messages beside the
  // fields. A domain refusal (its issues carry no input check's code) is a sentence of its own, said as it stands:
  // the SQL console's "the query was refused by rule …".
  if (body.code === "invalid_request" && body.issues?.length) {
    if (body.issues.every((i) => i.code === undefined)) return serverText(body.message, language);
    const named = body.issues.map((i) => labelOf(i.path, labels ?? {})).filter((l): l is string => Boolean(l));
    return texts.invalidFields([...new Set(named)]);
  }
  if (body.code === "internal") return texts.internal;
  if (body.code === "unavailable") return texts.unavailable;
  if (body.code === "rate_limited") return texts.rateLimited;
  return refusalText(body.code, body.message, language);
}

/** One sentence for a failed call, in the page's language, with the request id to quote kept last. */
export function describeError(err: unknown, options: ErrorTextOptions = {}): string {
  const language = options.language ?? pageLanguage();
  const texts = failureTexts[language];
  const body = bodyOf(err);
  if (body) {
    const text = headline(body, language, options.labels);
    return body.requestId ? `${text} ${texts.reference(body.requestId)}` : text;
  }
  // fetch fails with a TypeError; tRPC's client wraps it (`cause`) in an error whose message is fetch's own words.
  if (err instanceof TypeError || (err as { cause?: unknown } | null)?.cause instanceof TypeError)
    return texts.unreachable;
  // A body no one can read (a proxy's HTML page) from a server in trouble: its words would only confuse.
  if ((failureStatus(err) ?? 0) >= 500) return texts.unavailable;
  return err instanceof Error ? err.message : String(err);
}

/** Refused fields by path (`rules.0.rate`), each in the page's language, so a form shows it beside its field. */
export function fieldErrors(err: unknown, options: Pick<ErrorTextOptions, "language"> = {}): Record<string, string> {
  const language = options.language ?? pageLanguage();
  const out: Record<string, string> = {};
  for (const issue of bodyOf(err)?.issues ?? []) out[issue.path] ??= issueText(issue, language);
  return out;
}

export function isUnauthenticated(err: unknown): boolean {
  return bodyOf(err)?.code === "unauthenticated" || failureStatus(err) === 401;
}
