import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Db } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { recordEngagement, trackingPaths } from "@regulars/messages-store";
import { type LinkSigningSecrets, verifyLinkToken } from "@regulars/messaging";
import type { Context } from "hono";
import type { GatewayEnv } from "../context.ts";

export interface TrackingDeps {
  db: Db;
  log: Logger;
  /** The secrets links are signed with, newest first (`LINK_SIGNING_SECRETS`). */
  secrets: LinkSigningSecrets;
  now: () => Date;
}

/** The smallest transparent GIF: 1×1, one colour, transparent. */
export const transparentGif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

const Token = z.string().meta({
  param: { name: "token", in: "path" },
  description: "The signed token the link carries; opaque.",
  examples: [
    "bXNnXzAxamQ0ejh4OXIzdjdxMm01bjZwOHQwdzF5Cmh0dHBzOi8vYnVyZ2VyYnJvcy5leGFtcGxlL21lbnU.T2Z4bW5vVXNxZ2l3c3dnWA",
  ],
});

const clickRoute = createRoute({
  method: "get",
  path: `${trackingPaths.click}/{token}`,
  operationId: "followTrackedLink",
  tags: ["Messages"],
  summary: "A link in a message: recorded as a click, then redirected",
  description:
    "Every web link in a campaign's e-mail, SMS or push goes through here. A link whose signature verifies is " +
    "recorded as a click of its message (once per message and link: `message.clicked`) and answered with a `302` to " +
    "the address the message was written with. Anything else is a `404` page, never a redirect: only addresses that " +
    "were in one of the brand's messages are ever redirected to.",
  request: { params: z.object({ token: Token }) },
  responses: {
    200: {
      description:
        "The 1×1 open pixel, for an open token on this path (a template whose links and pixel share one tracker " +
        "base): recorded as an open",
      content: { "image/gif": { schema: z.string() } },
    },
    302: { description: "To the link's destination (`Location`)" },
    404: { description: "Not a link of ours: an HTML page says so", content: { "text/html": { schema: z.string() } } },
  },
});

const openRoute = createRoute({
  method: "get",
  path: `${trackingPaths.open}/{token}`,
  operationId: "loadOpenPixel",
  tags: ["Messages"],
  summary: "An e-mail's open pixel: recorded as an open, answered with a 1×1 GIF",
  description:
    "The transparent image an HTML e-mail carries when opens are tracked (`TRACKING_OPENS`). Loading it records the " +
    "message as opened (once: `message.opened`). The answer is always the same image, `.gif` suffix or not, valid token " +
    "or not, so a mail client never shows a broken image.",
  request: { params: z.object({ token: Token }) },
  responses: { 200: { description: "A 1×1 transparent GIF", content: { "image/gif": { schema: z.string() } } } },
});

const notOurs = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link not found</title></head>
<body><h1>This link does not work</h1>
<p>It may have been copied incompletely. Open it again from the message, or go to the brand's website.</p>
</body></html>`;

/** How long a click or an open waits for its record before the customer is answered anyway. */
const RECORD_WAIT_MS = 2_000;

/**
 * Recorded before the answer, but never at the cost of it: the customer is redirected (or shown the image) when the
 * database fails or is slow, since their click is worth more than our count of it (a slow record still finishes).
 * Events reach ClickHouse and webhooks through the outbox (its relay publishes them).
 */
async function recordQuietly(deps: TrackingDeps, work: () => Promise<{ outbox: OutboxItem[] } | null>) {
  let timer: NodeJS.Timeout | undefined;
  const recorded = work().catch((e: unknown) => deps.log.warn({ err: e }, "recording a message open or click failed"));
  await Promise.race([recorded, new Promise<void>((resolve) => (timer = setTimeout(resolve, RECORD_WAIT_MS)))]);
  clearTimeout(timer);
}

function webAddress(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

export function registerTrackingRoutes(app: OpenAPIHono<GatewayEnv>, deps: TrackingDeps) {
  const pixel = (c: Context<GatewayEnv>) =>
    c.body(new Uint8Array(transparentGif), 200, {
      "content-type": "image/gif",
      "cache-control": "no-store, max-age=0",
    });

  app.openapi(clickRoute, async (c) => {
    const verified = verifyLinkToken(deps.secrets, c.req.valid("param").token);
    if (!verified.ok) return c.html(notOurs, 404, { "cache-control": "no-store" });
    if (verified.kind === "open") {
      // An open pixel made with the link's base (a template tracked by the generic link tracker).
      await recordQuietly(deps, () => recordEngagement(deps.db, verified.messageId, { kind: "open" }, deps.now()));
      return pixel(c);
    }
    // Signed by us, but a destination must still be a web page (never a `javascript:` or `data:` address), written
    // as a header can carry it (a space or an accented letter in a template's link is percent-encoded).
    const url = webAddress(verified.url);
    if (!url) return c.html(notOurs, 404, { "cache-control": "no-store" });
    const { messageId } = verified;
    await recordQuietly(deps, () =>
      recordEngagement(deps.db, messageId, { kind: "click", url: verified.url }, deps.now()),
    );
    return c.redirect(url, 302);
  });

  app.openapi(openRoute, async (c) => {
    const token = c.req.valid("param").token.replace(/\.gif$/i, "");
    const verified = verifyLinkToken(deps.secrets, token);
    if (verified.ok && verified.kind === "open")
      await recordQuietly(deps, () => recordEngagement(deps.db, verified.messageId, { kind: "open" }, deps.now()));
    return pixel(c);
  });
}
