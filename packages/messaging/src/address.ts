import { z } from "zod";

/** An e-mail address a provider accepts: what `EmailMessage.to` requires. */
export const EmailAddress = z.email();

/** A phone number an SMS provider accepts: E.164, as `SmsMessage.to` requires. */
export const SmsAddress = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 phone number");

/**
 * Whether a stored e-mail or phone can address a message on its channel. One rule for the queue (which skips a
 * message as `no_address` otherwise) and for campaign planning (which judges whom a campaign reaches, and so whom
 * its control group may hold out): a customer the queue would refuse must not count as reachable at planning.
 */
export function isDeliverableAddress(channel: "email" | "sms", address: string | null | undefined): boolean {
  if (!address) return false;
  return (channel === "email" ? EmailAddress : SmsAddress).safeParse(address).success;
}
