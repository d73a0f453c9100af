import { LinkSigningSecrets, type LinkTrackingInput } from "@regulars/messaging";
import { z } from "zod";

/**
 * Where tracked links and open pixels point, and the secrets that sign them. `publicUrl` is the gateway as
 * customers reach it (`https://go.brand.example`); clicks land on `/v1/m/c/<token>` and pixels load
 * `/v1/m/o/<token>` there (`.gif` may be appended). The gateway verifies with the same secrets, so both read one setting.
 */
export const MessageTracking = z.object({
  publicUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, "")),
  secrets: LinkSigningSecrets,
  /** Add an open pixel to HTML e-mails (off unless asked: see `@regulars/messaging`). */
  opens: z.boolean().default(false),
});
export type MessageTracking = z.infer<typeof MessageTracking>;
export type MessageTrackingInput = z.input<typeof MessageTracking>;

/** The gateway's paths of the tracker, named once for the links made here and the routes that answer them. */
export const trackingPaths = { click: "/v1/m/c", open: "/v1/m/o" } as const;

/** The link tracking `composeMessage` takes: clicks only; the pixel is added with its own path (`openPixelBase`). */
export const clickTracking = (t: MessageTracking): LinkTrackingInput => ({
  baseUrl: `${t.publicUrl}${trackingPaths.click}`,
  secrets: t.secrets,
  opens: false,
});

export const openPixelBase = (t: MessageTracking): string => `${t.publicUrl}${trackingPaths.open}`;
