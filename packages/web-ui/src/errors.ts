/** The house error body, as the gateway answers it and as tRPC errors carry it in `data.error`. */
export interface ApiFailure {
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
  requestId?: string;
}

function bodyOf(err: unknown): ApiFailure | null {
  if (!err || typeof err !== "object") return null;
  const data = (err as { data?: { error?: ApiFailure } }).data;
  if (data?.error?.code) return data.error;
  if ("code" in err && "message" in err && typeof (err as ApiFailure).code === "string") return err as ApiFailure;
  return null;
}

/** One sentence for a failed call: the server's message (which says what to do), or a network hint. */
export function describeError(err: unknown): string {
  const body = bodyOf(err);
  if (body) return body.requestId ? `${body.message} (request ${body.requestId})` : body.message;
  if (err instanceof TypeError) return "the server could not be reached; check the connection and try again";
  return err instanceof Error ? err.message : String(err);
}

/** Refused fields by path (`rules.0.rate`), so a form shows each message beside its field. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of bodyOf(err)?.issues ?? []) out[issue.path] ??= issue.message;
  return out;
}

export function isUnauthenticated(err: unknown): boolean {
  const body = bodyOf(err);
  return body?.code === "unauthenticated" || (err as { data?: { httpStatus?: number } })?.data?.httpStatus === 401;
}
