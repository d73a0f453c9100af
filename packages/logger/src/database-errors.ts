import { stdSerializers } from "pino";

/**
 * Fields of a database error that quote the data rather than describe the failure. pg's DatabaseError keeps
 * everything Postgres said: `detail` names the row (`Key (tenant_id, kind, value)=(t1, phone, +48600100200) already
 * exists.`, `Failing row contains (…)`), `where` and `internalQuery` the statements that ran, with any literals in
 * them. Prisma's driver adapter copies `detail` and `hint` into its error's `meta`. Clients that attach the query's
 * values call them `parameters` or `params`. What says what failed stays: code, constraint, table, column, message.
 */
const quotingData = new Set(["detail", "where", "internalQuery", "parameters", "params", "queryParams"]);

/**
 * Postgres's own hints are fixed sentences naming objects ("Perhaps you meant to reference the column …"); one
 * raised by a function (`RAISE … USING HINT`) may say anything. A hint that holds an address, a run of digits or
 * key values is dropped, the others kept for whoever reads the log.
 */
const dataInHint = /@|\d{3}|=\(/;

const censored = "[redacted]";
/** Nested errors and `meta` objects go this deep; anything deeper is rare enough to leave as it is. */
const deepest = 6;

/** pino's error serializer (message, stack and causes, every field of the error) less what quotes the data. */
export function serializeError(err: unknown): unknown {
  return withoutQuotedData(stdSerializers.err(err as Error), 0);
}

function withoutQuotedData(value: unknown, depth: number): unknown {
  if (depth > deepest || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => withoutQuotedData(v, depth + 1));
  // Only what JSON writes as its own fields (plain objects, errors and pino's serialized errors): a Date, a Buffer or
  // anything with a toJSON of its own is left to write itself.
  const proto = Object.getPrototypeOf(value);
  const plain = proto === Object.prototype || proto === null || value instanceof Error || isSerializedError(value);
  if (!plain || "toJSON" in value) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (quotingData.has(key) && field !== undefined) out[key] = censored;
    else if (key === "hint" && typeof field === "string" && dataInHint.test(field)) out[key] = censored;
    else out[key] = withoutQuotedData(field, depth + 1);
  }
  return out;
}

const serializedErrorProto = Object.getPrototypeOf(stdSerializers.err(new Error("probe")));
const isSerializedError = (value: object) => Object.getPrototypeOf(value) === serializedErrorProto;
