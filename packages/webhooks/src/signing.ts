import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64 (what receivers' libraries expect). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

const secretPattern = /^whsec_[A-Za-z0-9+/]{40,}={0,2}$/;
export const isWebhookSecret = (secret: string): boolean => secretPattern.test(secret);

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The three Standard Webhooks headers of one attempt: the id is the delivery's (the same on every attempt and
 * replay, so receivers de-duplicate), the timestamp is the attempt's (receivers refuse old ones), and the
 * signature is HMAC-SHA256 over `id.timestamp.body` with the endpoint's secret, by the `standardwebhooks`
 * library itself. `secrets` signs with each (a rotated secret and the one before it), space-separated.
 */
export function signedHeaders(id: string, at: Date, body: string, secrets: readonly string[]): SignedHeaders {
  if (!secrets.length) throw new Error("signing needs at least one secret");
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, at, body));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
