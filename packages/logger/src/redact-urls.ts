/**
 * Credentials inside connection URLs. A NATS URL may carry `user:pass@` or a bare token (`nats://token@host`),
 * and NATS_URL may list several servers separated by commas; Postgres and ClickHouse URLs carry `user:pass@`
 * and sometimes `?password=`. Everything printed or logged passes through here.
 */
const TOKEN_SCHEMES = new Set(["nats", "tls", "ws", "wss"]);
const SECRET_PARAMS = /([?&](?:password|pass|pwd|token|secret|sslpassword|auth_token)=)[^&#\s"',]*/gi;

/** `scheme://userinfo@`: userinfo never holds `/`, `@`, whitespace or quotes unescaped. */
const USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/@"'\\,]+)@/gi;

function maskUserinfo(scheme: string, userinfo: string): string {
  const colon = userinfo.indexOf(":");
  if (colon >= 0) return `${userinfo.slice(0, colon)}:***`;
  // A bare name is a user for Postgres or HTTP, but the whole secret for a NATS token.
  return TOKEN_SCHEMES.has(scheme.toLowerCase()) ? "***" : userinfo;
}

/** Masks the credentials of every URL inside any text (a log line, an error message, a URL list). */
export function redactCredentialsInText(text: string): string {
  if (!text.includes("://")) return text;
  return text
    .replace(USERINFO, (_all, scheme: string, userinfo: string) => `${scheme}://${maskUserinfo(scheme, userinfo)}@`)
    .replace(SECRET_PARAMS, "$1***");
}

/** Strip credentials from a URL, or a comma-separated list of them, before it is logged or printed. */
export function redactUrl(url: string): string {
  return url
    .split(",")
    .map((part) => {
      const trimmed = part.trim();
      try {
        new URL(trimmed);
      } catch {
        return "[unparseable url]";
      }
      return redactCredentialsInText(trimmed);
    })
    .join(",");
}
