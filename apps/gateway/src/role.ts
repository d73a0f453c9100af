import { createPgTransactionRunner, createPoolReader } from "@regulars/db";
import { countDeadLetters } from "@regulars/logger";
import { startOutboxFlusher } from "@regulars/outbox";
import { listen, messageTrackingOf, type RoleContext, type StartedRole } from "@regulars/runtime";
import { createGatewayApp } from "./app.ts";

/** Connections of the quotes' reader: one statement each, a few milliseconds, so a few carry hundreds a second. */
const QUOTE_READER_POOL_SIZE = 4;
/** Connections of the look-ups of posted transactions and events: one statement per 2 ms at most, each of a few keys. */
const LOOKUP_READER_POOL_SIZE = 2;
/** Connections of the guessing throttles' counts: two single-row writes per checkout with codes or a phone. */
const MISS_COUNTS_POOL_SIZE = 2;
/** Connections of the checkout holds' transactions: each holds its customer's and its campaigns' locks for milliseconds. */
const HOLD_TRANSACTIONS_POOL_SIZE = 4;

/** The ingestion gateway in a process, configured from the process's settings. */
export async function startGatewayRole(ctx: RoleContext): Promise<StartedRole> {
  const { config } = ctx;
  // Checkout quotes are the kiosk's hot read: a small pg pool of their own, without Prisma's per-query CPU.
  const reader = createPoolReader({
    url: ctx.deps.databaseUrl,
    poolSize: QUOTE_READER_POOL_SIZE,
    applicationName: `${config.REGULARS_NAMESPACE}-gateway-reader`,
  });
  // Every posted transaction and event is looked up, through a reader of its own that plans its two statements once:
  // they were planned again on every execution, about 1 ms of Postgres CPU each (`planOnce`).
  const lookupReader = createPoolReader({
    url: ctx.deps.databaseUrl,
    poolSize: LOOKUP_READER_POOL_SIZE,
    applicationName: `${config.REGULARS_NAMESPACE}-gateway-lookups`,
    planOnce: true,
  });
  // A quote or hold naming its customer by phone or card, or carrying coupon codes, reserves a miss in its key's
  // window and gives it back once answered (`@regulars/checkout-store`, misses/): through Prisma, those writes were
  // half of a quote's CPU. Writes on a pool of their own, so they never hold a connection the quotes read through.
  const missCounts = createPoolReader({
    url: ctx.deps.databaseUrl,
    poolSize: MISS_COUNTS_POOL_SIZE,
    applicationName: `${config.REGULARS_NAMESPACE}-gateway-miss-counts`,
    // A crash of Postgres may lose the last fraction of a second of counts: a few guesses more for a key, at most.
    asyncCommit: true,
  });
  // A hold's transaction (its locks, the price again, the reservation) on pg rather than Prisma: all raw SQL.
  const holdTransactions = createPgTransactionRunner({
    url: ctx.deps.databaseUrl,
    poolSize: HOLD_TRANSACTIONS_POOL_SIZE,
    applicationName: `${config.REGULARS_NAMESPACE}-gateway-holds`,
  });
  const pools = [reader, lookupReader, missCounts, holdTransactions];
  // Their connections are opened now, not by the first requests, whose look-up would wait on the connect and be
  // refused 503 if the start kept the machine busy.
  for (const [pool, what] of [
    [reader, "reader"],
    [lookupReader, "look-up reader"],
    [missCounts, "miss counts' pool"],
  ] as const)
    await pool.warm().catch((err) => ctx.log.warn({ err }, `the gateway's ${what} opens its connections on demand`));
  // An event NATS refuses for good is dead-lettered here as on the workers, and counted on the same metric.
  const outbox = startOutboxFlusher({
    db: ctx.db,
    bus: ctx.bus,
    log: ctx.log.child({ role: "gateway" }),
    onDeadLetter: countDeadLetters(ctx.registry),
  });
  const app = createGatewayApp({
    bus: ctx.bus,
    credentials: ctx.credentials,
    log: ctx.log.child({ role: "gateway" }),
    registry: ctx.registry,
    readiness: ctx.readiness,
    maxBodyBytes: config.MAX_BODY_BYTES,
    occurredAtWindow: {
      maxAgeDays: config.OCCURRED_AT_MAX_AGE_DAYS,
      maxAheadSeconds: config.OCCURRED_AT_MAX_AHEAD_SECONDS,
    },
    rateLimiter: ctx.rateLimiter,
    db: ctx.db,
    pushEndpoints: { allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_URLS },
    reader,
    lookupReader,
    missCounts,
    holdTransactions,
    unknownCodeLimit: {
      limit: config.COUPON_UNKNOWN_CODE_LIMIT,
      windowSeconds: config.COUPON_UNKNOWN_CODE_WINDOW_SECONDS,
    },
    linkSecrets: messageTrackingOf(config, ctx.dataDir)?.secrets ?? null,
    ...(config.MESSAGE_RECEIPTS_SECRET ? { receiptsSecret: config.MESSAGE_RECEIPTS_SECRET } : {}),
    onCustomerChanged: outbox.flush,
  });
  const served = await listen(app.fetch, config.HOST, config.GATEWAY_PORT, "GATEWAY_PORT").catch(async (e) => {
    for (const pool of pools) await pool.close();
    await outbox.stop();
    throw e;
  });
  return {
    url: served.url,
    async stop() {
      await served.close();
      await app.stop(); // after the server closed: the last receipts are written
      await outbox.stop();
      for (const pool of pools) await pool.close();
    },
  };
}
