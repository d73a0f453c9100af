import { z } from "zod";
import { EmailAddress, SmsAddress } from "./address.ts";

const envelope = {
  /** Our id of the message (`msg_…`): the idempotency key for providers that take one, and the id in tracked links. */
  id: z.string().min(1).max(100),
  tenantId: z.string().min(1),
  customerId: z.string().min(1).nullable(),
};

export const EmailMessage = z
  .object({
    ...envelope,
    channel: z.literal("email"),
    to: EmailAddress,
    subject: z.string().min(1).max(1_000),
    html: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
  })
  .refine((m) => m.html !== undefined || m.text !== undefined, { message: "an e-mail needs an HTML or a text body" });

export const SmsMessage = z.object({
  ...envelope,
  channel: z.literal("sms"),
  to: SmsAddress,
  body: z.string().min(1),
});

/** The device as `customer_push_tokens` holds it; for `web` the token is the browser's PushSubscription as JSON. */
export const PushDevice = z.object({
  platform: z.enum(["ios", "android", "web"]),
  token: z.string().min(1),
});

export const PushMessage = z.object({
  ...envelope,
  channel: z.literal("push"),
  to: PushDevice,
  title: z.string().min(1).max(1_000),
  body: z.string().min(1).max(4_000),
  url: z.string().optional(),
  /** Key/value data the app reads; FCM allows strings only, so this is strings only everywhere. */
  data: z.record(z.string(), z.string()).optional(),
});

/** A message ready for a provider: rendered, links tracked, addressed to one recipient. */
export const OutgoingMessage = z.discriminatedUnion("channel", [EmailMessage, SmsMessage, PushMessage]);
export type OutgoingMessage = z.infer<typeof OutgoingMessage>;
export type EmailMessage = z.infer<typeof EmailMessage>;
export type SmsMessage = z.infer<typeof SmsMessage>;
export type PushMessage = z.infer<typeof PushMessage>;
export type PushDevice = z.infer<typeof PushDevice>;
