import type { Context } from "hono";

/**
 * The WHATWG Encoding Standard's labels for UTF-8, and US-ASCII, which is a subset of it: a body declared in any of
 * them is read as UTF-8. Every other label names bytes we would otherwise misread.
 */
const utf8Labels = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);
const asciiLabels = new Set(["us-ascii", "ascii"]);

/** The `charset` parameter of a content type, lower-cased and unquoted; undefined when it names none. */
export function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(";").slice(1)) {
    const [name, value = ""] = parameter.split("=", 2);
    if (name?.trim().toLowerCase() === "charset")
      return value
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .trim()
        .toLowerCase();
  }
  return undefined;
}

/** Why a body was not read: the app answers the first 415 and the second 400, in its own error type. */
export type BodyTextRefusal =
  | { code: "unsupported_media_type"; message: string }
  | { code: "invalid_request"; message: string; issues: { path: string; message: string }[] };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body as text, read once for every reader after it: Hono keeps it, so its `c.req.text()` and `c.req.json()`,
 * tRPC's reading through them, the validators and the depth check all read this same string. A body declared in a
 * charset other than UTF-8 is refused rather than read as UTF-8, and bytes that are not UTF-8 are refused rather
 * than read as U+FFFD, which would store a name, a SKU or a code other than the one sent and answer 2xx.
 */
export async function readUtf8BodyText(c: Context, refuse: (refusal: BodyTextRefusal) => Error): Promise<string> {
  // Hono types its cache as the body's methods, but keeps what they resolved to: the text's promise.
  const cache = c.req.bodyCache as { text?: Promise<string> };
  if (cache.text) return cache.text;
  const charset = charsetOf(c.req.header("content-type") ?? "");
  const ascii = charset !== undefined && asciiLabels.has(charset);
  if (charset !== undefined && !ascii && !utf8Labels.has(charset))
    throw refuse({
      code: "unsupported_media_type",
      message: `send the body in UTF-8 (no charset, or 'charset=utf-8'; not '${charset.slice(0, 40)}')`,
    });
  // Outside the try: the body limit's own error (a body cut off as too large) must reach its handler as it is.
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const encoding = ascii ? "US-ASCII" : "UTF-8";
  let text: string;
  try {
    if (ascii && bytes.some((b) => b > 0x7f)) throw new Error("not ASCII");
    text = utf8.decode(bytes);
  } catch {
    throw refuse({
      code: "invalid_request",
      message: `the request body is not valid ${encoding}`,
      issues: [{ path: "(body)", message: `must be valid ${encoding}` }],
    });
  }
  cache.text = Promise.resolve(text);
  return text;
}
