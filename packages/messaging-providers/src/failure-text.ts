import { redactPersonalData } from "@regulars/messaging";

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
