/**
 * What a failure may say. Its text is stored in `messages.last_error`, listed to admins and analysts and sent to
 * tenants' webhooks as the reason of `message.failed`, so it must carry neither our credentials nor the
 * customer's personal data a provider echoes back (`550 5.1.1 <jane@example.com>: Recipient address rejected`).
 */
export function failureText(text: string, secrets: readonly string[] = []): string {
  return redactPersonalData(scrubSecrets(text, secrets));
}

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}

// Anything shaped like local@domain.tld, as loosely as mail servers quote it (<…>, "…", IDN, plus-addressing).
const emailAddress = /[^\s<>()[\]\\,;:"'@]+@[^\s<>()[\]\\,;:"'@]+\.[^\s<>()[\]\\,;:"'@.]+/gu;
// 7 to 15 digits, optionally after a +, with single spaces, hyphens or brackets between them (E.164 and national
// forms). Dots do not join digits, so SMTP codes (5.1.1), IP addresses and ports stay readable.
const phoneNumber = /(?<![\w+])\+?\(?\d(?:[ \-()]{0,2}\d){6,14}(?![\w])/g;

/** The text with e-mail addresses and phone numbers replaced by `[email]` and `[phone]`. */
export function redactPersonalData(text: string): string {
  return text.replace(emailAddress, "[email]").replace(phoneNumber, "[phone]");
}
