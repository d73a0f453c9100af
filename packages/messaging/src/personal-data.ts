// A provider's words about a failure often quote the recipient (`550 5.1.1 <jane@example.com>: Recipient address
// rejected`). The sender's failures and the providers' later receipts both end up in `message.failed`, which goes to
// tenants' webhooks, so both redact with this one function.

// Anything shaped like local@domain.tld, as loosely as mail servers quote it (<…>, "…", IDN, plus-addressing).
const emailAddress = /[^\s<>()[\]\\,;:"'@]+@[^\s<>()[\]\\,;:"'@]+\.[^\s<>()[\]\\,;:"'@.]+/gu;
// 7 to 15 digits, optionally after a +, with single spaces, hyphens or brackets between them (E.164 and national
// forms). Dots do not join digits, so SMTP codes (5.1.1), IP addresses and ports stay readable.
const phoneNumber = /(?<![\w+])\+?\(?\d(?:[ \-()]{0,2}\d){6,14}(?![\w])/g;

/** The text with e-mail addresses and phone numbers replaced by `[email]` and `[phone]`. */
export function redactPersonalData(text: string): string {
  return text.replace(emailAddress, "[email]").replace(phoneNumber, "[phone]");
}
