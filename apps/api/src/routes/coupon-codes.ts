import { codeLinesFromCsv, importCodes, streamCodesCsv } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { isDomainError, roleRefusal } from "@regulars/errors";
import type { KeyRateLimiter } from "@regulars/http-guards";
import type { Logger } from "@regulars/logger";
import type { Credential, CredentialCache } from "@regulars/tenancy";
import type { Context, Hono } from "hono";
import {
  type ApiEnv,
  assignRequestId,
  authenticateAndLimit,
  errorResponse,
  limitBody,
  readBodyText,
} from "../http-guards.ts";
import { staffSessionLookup } from "./auth.ts";

/** A partner's file of a million codes is about 15 MiB. */
export const MAX_CODES_FILE_BYTES = 16 * 1024 * 1024;
const MAX_CODES_FILE_LINES = 1_000_001;

export interface CouponCodeRouteDeps {
  db: Db;
  credentials: CredentialCache;
  log: Logger;
  rateLimiter?: KeyRateLimiter | undefined;
}

const CAMPAIGN_ID = /^cpn_[a-z0-9]{10,40}$/;

type Admitted = { credential: Credential; campaignId: string } | { refused: Response };

/** The same bearer keys as tRPC; files of codes are an admin's business only. */
function admit(c: Context<ApiEnv>): Admitted {
  const credential = c.get("credential");
  if (!credential)
    return { refused: errorResponse(c, "unauthorized", "send an API key as 'Authorization: Bearer <key>'") };
  if (credential.role !== "admin")
    return { refused: errorResponse(c, "forbidden", roleRefusal(credential.role, ["admin"])) };
  const campaignId = c.req.param("id") ?? "";
  if (!CAMPAIGN_ID.test(campaignId)) {
    const message = "must be a coupon campaign id (cpn_...)";
    return { refused: errorResponse(c, "invalid_request", `id ${message}`, [{ path: "id", message }]) };
  }
  return { credential, campaignId };
}

function domainFailure(c: Context<ApiEnv>, e: unknown): Response {
  if (isDomainError(e)) return errorResponse(c, e.code, e.message, e.issues);
  throw e;
}

/** Chunks pulled one at a time, as the client reads: the next page is read only when the last one went out. */
function readable(chunks: AsyncIterable<string>, onError: (e: unknown) => void): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (e) {
        onError(e);
        controller.error(e);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * Files of coupon codes over plain HTTP, beside tRPC: a campaign's codes as a streamed CSV download, and a
 * partner's CSV uploaded as it is (tRPC inputs hold no line breaks, and its body limit is far smaller).
 */
export function registerCouponCodeRoutes(app: Hono<ApiEnv>, deps: CouponCodeRouteDeps): void {
  app.use(
    "/admin/*",
    assignRequestId,
    authenticateAndLimit(deps.credentials, deps.rateLimiter, staffSessionLookup(deps.db)),
  );

  app.get("/admin/coupon-campaigns/:id/codes.csv", async (c) => {
    const admitted = admit(c);
    if ("refused" in admitted) return admitted.refused;
    const { credential, campaignId } = admitted;
    let chunks: AsyncIterable<string>;
    try {
      chunks = await streamCodesCsv(deps.db, credential.tenantId, campaignId);
    } catch (e) {
      return domainFailure(c, e);
    }
    const requestId = c.get("requestId");
    // Once the first bytes are out the status cannot change: a failure later cuts the download short.
    const body = readable(chunks, (err) => deps.log.error({ err, requestId, campaignId }, "coupon code export failed"));
    return new Response(body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${campaignId}-codes.csv"`,
        "cache-control": "no-store",
        "x-request-id": requestId,
      },
    });
  });

  app.post("/admin/coupon-campaigns/:id/codes", limitBody(MAX_CODES_FILE_BYTES), async (c) => {
    const admitted = admit(c);
    if ("refused" in admitted) return admitted.refused;
    const { credential, campaignId } = admitted;
    if (!/^text\/(csv|plain)\s*(;|$)/i.test(c.req.header("content-type") ?? ""))
      return errorResponse(c, "unsupported_media_type", "send the file with content-type: text/csv");
    const lines = codeLinesFromCsv(await readBodyText(c));
    if (lines.length > MAX_CODES_FILE_LINES)
      return errorResponse(c, "payload_too_large", `the file holds more than ${MAX_CODES_FILE_LINES - 1} codes`);
    try {
      return c.json(await importCodes(deps.db, credential.tenantId, campaignId, lines, credential.keyId));
    } catch (e) {
      return domainFailure(c, e);
    }
  });
}
