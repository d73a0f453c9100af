import { type RejectionCode, unstorableText } from "@regulars/contracts";
import type { Db } from "@regulars/db";

export interface RejectionView {
  externalId: string;
  code: RejectionCode;
  message: string;
  rejectedAt: string;
}

export interface RejectionsPage {
  items: RejectionView[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * A rejection is keyed by (tenant, externalId, body hash), and several share a millisecond in a batch,
 * so the cursor carries the whole sort key: when, which transaction, which body.
 */
type Position = [rejectedAt: string, externalId: string, bodyHash: string];

const encodeCursor = (position: Position) => Buffer.from(JSON.stringify(position), "utf8").toString("base64url");

/** The form `encodeCursor` writes (`toISOString`), within years Postgres stores as they read. */
const isoInstant = /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Its length is bounded by the cursor's own (the input's limit); NUL and the like Postgres cannot compare. */
const storableKeyPart = (part: unknown): part is string => typeof part === "string" && unstorableText(part) === null;

function decodeCursor(cursor: string): Position | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [iso, externalId, bodyHash] = value as unknown[];
    // `Date.parse` accepts years Postgres cannot compare (-271821, +275760): only our own form round-trips.
    const instant = typeof iso === "string" && isoInstant.test(iso) && new Date(iso).toISOString() === iso;
    return instant && storableKeyPart(externalId) && storableKeyPart(bodyHash) ? [iso, externalId, bodyHash] : null;
  } catch {
    return null;
  }
}

/**
 * What the pipeline refused for a tenant, newest first: the ledger's own rejections and the dead-lettered
 * messages it recorded, with the reason code and message the integrator reads. A cursor that is not one of
 * ours starts from the newest, as no cursor does.
 */
export async function listRejections(
  db: Db,
  tenantId: string,
  input: { code?: RejectionCode | undefined; cursor?: string | null | undefined; limit: number },
): Promise<RejectionsPage> {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const older = after
    ? (() => {
        const [iso, externalId, bodyHash] = after;
        const at = new Date(iso);
        return {
          OR: [
            { rejectedAt: { lt: at } },
            { rejectedAt: at, externalId: { lt: externalId } },
            { rejectedAt: at, externalId, bodyHash: { lt: bodyHash } },
          ],
        };
      })()
    : {};
  const rows = await db.transactionRejection.findMany({
    where: { tenantId, ...(input.code ? { code: input.code } : {}), ...older },
    orderBy: [{ rejectedAt: "desc" }, { externalId: "desc" }, { bodyHash: "desc" }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      externalId: r.externalId,
      code: r.code as RejectionCode,
      message: r.message,
      rejectedAt: r.rejectedAt.toISOString(),
    })),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor([last.rejectedAt.toISOString(), last.externalId, last.bodyHash])
        : null,
  };
}
