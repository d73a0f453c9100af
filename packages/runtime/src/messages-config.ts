import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LinkSigningSecrets } from "@regulars/messaging";
import { ProviderConfig } from "@regulars/messaging-providers";
import { z } from "zod";
import { envNumber } from "./env-number.ts";

const unset = (v: unknown) => (v === "" ? undefined : v);

/** A channel's provider as JSON (`{"kind":"smtp","host":…}`), checked against `ProviderConfig` at start. */
const providerSetting = z.preprocess(
  unset,
  z
    .string()
    .optional()
    .transform((text, ctx): ProviderConfig | undefined => {
      if (text === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: 'must be JSON such as {"kind":"smtp","host":"…","from":"…"}' });
        return z.NEVER;
      }
      const parsed = ProviderConfig.safeParse(json);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", message: `${issue.path.join(".") || "kind"}: ${issue.message}` });
      return z.NEVER;
    }),
);

/**
 * How messages go out and come back: the provider of each channel (the development provider, which records in
 * `dev_messages`, when unset), the sender's limits, where tracked links point and the secrets that sign them, and
 * the secret providers present when they report deliveries.
 */
export const MessageSettings = z.object({
  MESSAGE_PROVIDER_EMAIL: providerSetting,
  MESSAGE_PROVIDER_SMS: providerSetting,
  MESSAGE_PROVIDER_PUSH: providerSetting,
  /** Browsers' push subscriptions, when they go elsewhere than the apps' push (web push with VAPID). */
  MESSAGE_PROVIDER_WEB_PUSH: providerSetting,
  MESSAGES_CONCURRENCY: envNumber(z.coerce.number().int().min(1).max(1_000).default(64)),
  MESSAGE_SEND_TIMEOUT_MS: envNumber(z.coerce.number().int().min(100).max(300_000).default(30_000)),
  /** The gateway as customers reach it; tracked links and open pixels point there. */
  TRACKING_BASE_URL: z.preprocess(unset, z.url({ protocol: /^https?$/ }).optional()),
  /** Newest first, comma-separated: links are signed with the first and verified with any (rotation). */
  LINK_SIGNING_SECRETS: z.preprocess(
    unset,
    z
      .string()
      .optional()
      .transform((s) => s?.split(",").map((x) => x.trim()))
      .pipe(LinkSigningSecrets.optional()),
  ),
  TRACKING_OPENS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** The bearer secret of `POST /v1/messages/receipts/{provider}`; without one the route is absent. */
  MESSAGE_RECEIPTS_SECRET: z.preprocess(unset, z.string().min(32).optional()),
});
export type MessageSettings = z.infer<typeof MessageSettings>;

/** Made once per process when there is no data folder to keep it in. */
let processSecret: string | undefined;

/**
 * The development signing secret: kept in the data folder (owner-only), so the roles of a development start in
 * separate processes agree, and the links of messages sent before a restart still work; one per process without it.
 */
function developmentSecret(dataDir: string | undefined): string {
  if (!dataDir) {
    processSecret ??= randomBytes(32).toString("base64url");
    return processSecret;
  }
  const path = join(dataDir, "link-signing-secret");
  try {
    mkdirSync(dataDir, { recursive: true });
    // `wx`: of two processes starting at once, one writes and both read what it wrote.
    writeFileSync(path, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return readFileSync(path, "utf8").trim();
}

/**
 * Where tracked links point and how they are signed, or null when links cannot be tracked. Without
 * `TRACKING_BASE_URL` links point at this gateway's own address. Without `LINK_SIGNING_SECRETS` a development
 * start (embedded Postgres, no `DATABASE_URL`) signs with a secret made for its data folder; anywhere else links go
 * out untracked rather than signed with a secret other processes do not share.
 */
export function messageTrackingOf(
  config: MessageSettings & { DATABASE_URL?: string | undefined; HOST: string; GATEWAY_PORT: number },
  dataDir?: string,
): { publicUrl: string; secrets: string[]; opens: boolean } | null {
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  const publicUrl = config.TRACKING_BASE_URL ?? `http://${host}:${config.GATEWAY_PORT}`;
  if (config.LINK_SIGNING_SECRETS)
    return { publicUrl, secrets: config.LINK_SIGNING_SECRETS, opens: config.TRACKING_OPENS };
  if (config.DATABASE_URL !== undefined) return null;
  return { publicUrl, secrets: [developmentSecret(dataDir)], opens: config.TRACKING_OPENS };
}
