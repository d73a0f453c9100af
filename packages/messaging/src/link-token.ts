import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * The signed token of a tracked link: `<payload>.<mac>`, both base64url. The payload is the message id and
 * the destination (`msg_…\nhttps://…`), the MAC is HMAC-SHA256 over a fixed prefix and the payload, cut to
 * 128 bits. Plain HMAC rather than a JWT: the token sits in every link of every SMS, where each character
 * counts, and the same service makes and checks it, so a header and claims would buy nothing.
 *
 * The token never expires: a link in an e-mail should still work next month. Signing is what stops it
 * from becoming an open redirect: only a destination that was in one of our messages verifies, and only
 * links a template wrote are signed (`writtenLinks`), never one a customer's variable brought into the text.
 */
export const LinkSigningSecrets = z
  .array(z.string().min(32, "a link signing secret has at least 32 characters"))
  .min(1)
  .meta({ description: "Newest first: links are signed with the first and verified with any (key rotation)." });
export type LinkSigningSecrets = z.infer<typeof LinkSigningSecrets>;

const macPrefix = "regulars-link-v1.";
const macBytes = 16;

const mac = (secret: string, payload: string): Buffer =>
  createHmac("sha256", secret)
    .update(macPrefix + payload)
    .digest()
    .subarray(0, macBytes);

function sign(secrets: LinkSigningSecrets, messageId: string, url: string): string {
  if (messageId.length === 0 || messageId.includes("\n")) throw new Error("a message id is one line, not empty");
  const payload = Buffer.from(`${messageId}\n${url}`, "utf8").toString("base64url");
  return `${payload}.${mac(secrets[0]!, payload).toString("base64url")}`;
}

/** The token of a tracked link: a click on it is recorded for the message and redirected to `url`. */
export function makeLinkToken(secrets: LinkSigningSecrets, messageId: string, url: string): string {
  if (url.length === 0) throw new Error("a tracked link has a destination");
  return sign(secrets, messageId, url);
}

/** The token of an e-mail's open pixel: the same form with no destination. */
export function makeOpenToken(secrets: LinkSigningSecrets, messageId: string): string {
  return sign(secrets, messageId, "");
}

export type VerifiedLink =
  | { ok: true; kind: "click"; messageId: string; url: string }
  | { ok: true; kind: "open"; messageId: string }
  | { ok: false; reason: "malformed" | "bad_signature" };

export function verifyLinkToken(secrets: LinkSigningSecrets, token: string): VerifiedLink {
  const parts = token.split(".");
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!))
    return { ok: false, reason: "malformed" };
  const [payload, signature] = parts as [string, string];
  const given = Buffer.from(signature, "base64url");
  if (given.length !== macBytes) return { ok: false, reason: "malformed" };
  if (!secrets.some((secret) => timingSafeEqual(mac(secret, payload), given)))
    return { ok: false, reason: "bad_signature" };
  const decoded = Buffer.from(payload, "base64url").toString("utf8");
  const split = decoded.indexOf("\n");
  if (split <= 0) return { ok: false, reason: "malformed" };
  const messageId = decoded.slice(0, split);
  const url = decoded.slice(split + 1);
  return url === "" ? { ok: true, kind: "open", messageId } : { ok: true, kind: "click", messageId, url };
}
