/**
 * `pnpm bench:campaigns`: a broadcast campaign to a segment of 100,000 members, e-mailed through the development
 * provider, on a system the bench starts (gateway, a ledger worker, the API and a workers process running the
 * campaign runner, the message sender, webhooks and the rest, one process each). Measures the time until the last
 * message is queued and until the last is sent, messages/s, webhook deliveries/s of `message.sent` to a local
 * receiver, and ingestion's latency (POST → points visible) before and during the broadcast. The bar: 100,000
 * messages queued in under 30 s while ingestion keeps its latency. See loadtests/README.md.
 */
import pg from "pg";
import { createBasketFactory, newRunId } from "./baskets.ts";
import { campaignsSettings } from "./campaigns-config.ts";
import { trpcCall } from "./checkout-http.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import { ingestionLine } from "./latency-report.ts";
import { runLatency } from "./latency-run.ts";
import { demoMenu } from "./menu.ts";
import { benchPeakRssBytes, findNatsServerPid, readProcessMemory } from "./rss.ts";
import { type SpawnedSystem, spawnSystem } from "./spawn-system.ts";
import { type BenchReceiver, startBenchReceiver } from "./webhook-bench-receiver.ts";

const progress = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The segment's members straight into Postgres: building them is bench:segments' subject, not this one's. */
async function seedAudience(client: pg.Client, tenantId: string, members: number) {
  const started = performance.now();
  await client.query(
    `INSERT INTO customers (id, tenant_id, name, email, created_via)
     SELECT 'cus_bench' || lpad(n::text, 7, '0'), $1, 'Member ' || n, 'member' || n || '@bench.example', 'app'
     FROM generate_series(1, $2::int) n`,
    [tenantId, members],
  );
  await client.query(
    `INSERT INTO customer_consents (id, tenant_id, customer_id, channel, purpose, granted, source, occurred_at)
     SELECT 'cns_bench' || lpad(n::text, 7, '0'), $1, 'cus_bench' || lpad(n::text, 7, '0'), 'email', 'marketing',
            true, 'bench', now() - interval '1 day'
     FROM generate_series(1, $2::int) n`,
    [tenantId, members],
  );
  const segmentId = `seg_bench${Date.now().toString(36)}`;
  await client.query(
    `INSERT INTO segments (id, tenant_id, name, kind, definition, refresh_interval_minutes, refreshes, refreshed_at,
                           member_count, created_by)
     VALUES ($1, $2, 'Bench members', 'definition', '{"all":[]}', 1000000, 1, now(), $3, 'bench')`,
    [segmentId, tenantId, members],
  );
  await client.query(
    `INSERT INTO segment_members (segment_id, customer_id, tenant_id, entered_at)
     SELECT $1, 'cus_bench' || lpad(n::text, 7, '0'), $2, now() FROM generate_series(1, $3::int) n`,
    [segmentId, tenantId, members],
  );
  await client.query("ANALYZE customers; ANALYZE customer_consents; ANALYZE segment_members");
  return { segmentId, seconds: (performance.now() - started) / 1000 };
}

interface Progress {
  /** Campaign steps written by the broadcast's planning. */
  planned: number;
  queued: number;
  sent: number;
  failed: number;
}

async function messageCounts(client: pg.Client, campaignId: string): Promise<Progress> {
  const { rows } = await client.query<{ planned: string; queued: string; sent: string; failed: string }>(
    `SELECT (SELECT count(*) FROM campaign_steps WHERE campaign_id = $1) AS planned,
            count(*) AS queued,
            count(*) FILTER (WHERE status IN ('sent', 'delivered', 'opened', 'clicked')) AS sent,
            count(*) FILTER (WHERE status IN ('failed', 'cancelled')) AS failed
     FROM messages WHERE campaign_id = $1`,
    [campaignId],
  );
  const r = rows[0]!;
  return { planned: Number(r.planned), queued: Number(r.queued), sent: Number(r.sent), failed: Number(r.failed) };
}

/**
 * Polls the campaign's messages until every member's is sent (or failed), every 5 s: counting 100,000 rows costs
 * Postgres a few hundred milliseconds, so the progress lines must not become part of the load. The figures are
 * measured from the broadcast's planned time on the same clock: the first message queued by its row's
 * `created_at`; the last by when the run finished (`runFinished`), since a row's `created_at` is when its
 * transaction began and the last chunk's messages exist only once it commits; sending by `sent_at`.
 */
async function watchBroadcast(
  client: pg.Client,
  campaignId: string,
  members: number,
  plannedAt: Date,
  timeoutMs: number,
  signal: AbortSignal,
  runFinished: Promise<Date | null>,
  /** Nothing is sent: the watch ends once every message is queued. */
  queueOnly: boolean,
) {
  let last: Progress = { queued: 0, sent: 0, failed: 0, planned: 0 };
  const since = () => ((Date.now() - plannedAt.getTime()) / 1000).toFixed(0).padStart(3);
  while (!signal.aborted) {
    last = await messageCounts(client, campaignId);
    progress(
      `[broadcast ${since()} s] ${last.planned} planned, ${last.queued} queued, ${last.sent} sent, ${last.failed} failed`,
    );
    if (last.sent + last.failed >= members || (queueOnly && last.queued >= members)) break;
    if (Date.now() - plannedAt.getTime() > timeoutMs) break;
    await sleep(5_000);
  }
  const { rows } = await client.query<{
    first_queued: Date | null;
    last_queued: Date | null;
    first_sent: Date | null;
    last_sent: Date | null;
  }>(
    `SELECT min(created_at) AS first_queued, max(created_at) AS last_queued, min(sent_at) AS first_sent,
            max(sent_at) AS last_sent
     FROM messages WHERE campaign_id = $1`,
    [campaignId],
  );
  const t = rows[0]!;
  const after = (d: Date | null) => (d ? (d.getTime() - plannedAt.getTime()) / 1000 : null);
  const sendingSeconds = t.first_sent && t.last_sent ? (t.last_sent.getTime() - t.first_sent.getTime()) / 1000 : 0;
  return {
    ...last,
    firstQueuedSeconds: after(t.first_queued),
    queuedSeconds: last.queued >= members ? after(await runFinished) : null,
    lastRowQueuedSeconds: after(t.last_queued),
    sentSeconds: last.sent + last.failed >= members ? after(t.last_sent) : null,
    sendRate: last.sent / Math.max(0.001, sendingSeconds),
  };
}

/**
 * When the broadcast's run finished: the runner moves a run's `next_run_at` on (to null for a one-off) right after
 * its last chunk commits, so a single-row read every 100 ms on a connection of its own finds every message queued
 * within 100 ms, at no cost to the load.
 */
async function watchRunFinished(
  url: string,
  campaignId: string,
  plannedAt: Date,
  timeoutMs: number,
  signal: AbortSignal,
) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    while (!signal.aborted && Date.now() - plannedAt.getTime() < timeoutMs) {
      const { rows } = await client.query<{ finished: boolean }>(
        "SELECT next_run_at IS NULL OR next_run_at > $2::timestamptz + interval '1 second' AS finished FROM campaigns WHERE id = $1",
        [campaignId, plannedAt],
      );
      if (rows[0]?.finished) return new Date();
      await sleep(100);
    }
    return null;
  } finally {
    await client.end();
  }
}

/** The tables a broadcast churns: every row is updated once or twice, and each update leaves a dead version. */
const queueTables = ["messages", "campaign_steps", "campaign_enrolments", "outbox_events", "webhook_deliveries"];

/**
 * Postgres's autovacuum keeps queue tables' indexes free of dead entries; a server with it turned off (as test
 * servers often are) makes every claim scan the versions of what was already sent, and the sender slows down as
 * the broadcast goes on. Then the bench vacuums the queue tables itself every 10 s, as autovacuum would, and says
 * so. Nothing happens on a server where autovacuum runs.
 */
async function standInForAutovacuum(url: string, signal: AbortSignal): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ autovacuum: string }>("SHOW autovacuum");
  if (rows[0]?.autovacuum === "on") {
    await client.end();
    return async () => {};
  }
  progress("autovacuum is off on this Postgres: the bench vacuums the queue tables every 10 s in its place");
  let stopped = false;
  const loop = (async () => {
    while (!stopped && !signal.aborted) {
      await sleep(10_000);
      if (!stopped) await client.query(`VACUUM ${queueTables.join(", ")}`).catch(() => {});
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await client.end();
  };
}

async function waitForDeliveries(
  receiver: BenchReceiver,
  count: number,
  timeoutMs: number,
  startedAt: number,
  signal: AbortSignal,
) {
  const deadline = performance.now() + timeoutMs;
  let received = 0;
  while (performance.now() < deadline && !signal.aborted) {
    received = await receiver.count();
    if (received >= count) break;
    await sleep(250);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  return { received, seconds, perSec: received / seconds };
}

/** Every flag checked before the receiver or the system starts: a typo must not cost a system's start-up. */
const settings = campaignsSettings();

async function main(): Promise<number> {
  const { members, rate, latencySec, timeoutMs, planningOnly, backgroundPriority, webhooks } = settings;
  const controller = abortOnInterrupt(progress);
  let system: SpawnedSystem | null = null;
  let receiver: BenchReceiver | null = null;
  let client: pg.Client | null = null;
  let failed = false;
  try {
    receiver = webhooks ? await startBenchReceiver() : null;
    // The receiver listens on this machine: the API and the sender must accept a private address.
    system = await spawnSystem({
      ledgerWorkers: 1,
      api: true,
      log: progress,
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: "true" },
    });
    // The domain consumers in one process, the scheduled jobs (a broadcast's planning) in another, the campaign steps
    // and the message sender in a third, as a deployment that sends campaigns would scale them: each is one Node
    // thread. With the jobs beside the consumers, planning waited behind the consumers of its own events on one
    // thread and 100,000 messages took twice as long to queue.
    const extra = { JOBS_INTERVAL_MS: "1000", ...settings.workersEnv };
    // The consumers and the sender do work that can wait a little; at equal priority on 2 cores they took the
    // cores from planning and ingestion alike (measured then: 100k queued in 64-68 s instead of 30-36 s, points
    // visible p99 1.2 s instead of 0.35-0.46 s; docs/architecture.md has the latest figures).
    const background = { ...extra, CPU_PRIORITY: backgroundPriority };
    // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
    const flags = settings.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${settings.cpuProf}`] : [];
    const rest = planningOnly
      ? [await system.startWorkersProcess("jobs", "jobs", extra, flags)]
      : [
          await system.startWorkersProcess("workers", "events,analytics,profiles,webhooks", background, flags),
          await system.startWorkersProcess("jobs", "jobs", extra, flags),
          await system.startWorkersProcess("campaigns", "campaigns,messages", background, flags),
        ];
    client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    const { tenantId } = system;

    progress(`seeding ${members} members with e-mail consent into one segment`);
    const audience = await seedAudience(client, tenantId, members);
    progress(`seeded in ${audience.seconds.toFixed(1)} s`);
    const setup = await createBroadcast(system, audience.segmentId, receiver?.url ?? null);

    const latency = (label: string) =>
      runLatency({
        gatewayUrl: system!.gatewayUrl,
        apiUrl: system!.apiUrl!,
        posKey: system!.keys.pos,
        adminKey: system!.keys.admin,
        ratePerSec: rate,
        warmupSec: 3,
        durationSec: latencySec,
        measureEvery: 5,
        pollMs: 100,
        pollBatch: 50,
        visibleTimeoutSec: 120,
        nextBasket: createBasketFactory({ menu: demoMenu }),
        runId: `${newRunId()}${label}`,
        signal: controller.signal,
        progress: () => {},
      });
    progress(`ingestion alone: ${rate} tx/s for ${latencySec} s`);
    const before = await latency("a");
    progress(ingestionLine("before", before));

    progress(`broadcast to ${members} members starts; ingestion goes on at ${rate} tx/s`);
    const stopVacuuming = await standInForAutovacuum(system.databaseUrl, controller.signal);
    const startedAt = performance.now();
    const plannedAt = await setup.start();
    // Stopped with the watch, so a run that never finishes does not keep the bench waiting for the timeout.
    const watching = new AbortController();
    const runFinished = watchRunFinished(
      system.databaseUrl,
      setup.campaignId,
      plannedAt,
      timeoutMs,
      AbortSignal.any([controller.signal, watching.signal]),
    ).catch((e: unknown) => {
      progress(`cannot tell when the run finished: ${(e as Error).message}`);
      return null;
    });
    const [broadcast, during] = await Promise.all([
      watchBroadcast(
        client,
        setup.campaignId,
        members,
        plannedAt,
        timeoutMs,
        controller.signal,
        runFinished,
        planningOnly,
      ).finally(() => watching.abort()),
      // Printed as soon as it is measured: the broadcast may take much longer to send.
      latency("b").then((r) => {
        progress(ingestionLine("during", r));
        return r;
      }),
    ]);
    const deliveries = receiver
      ? await waitForDeliveries(receiver, broadcast.sent, Math.max(60_000, timeoutMs / 2), startedAt, controller.signal)
      : null;
    await stopVacuuming();

    const processes = [system.gateway, ...system.workers, system.api!, ...rest].map((c) => ({
      name: c.name,
      pid: c.pid,
    }));
    const nats = findNatsServerPid(system.natsUrl);
    if (nats !== null) processes.push({ name: "nats-server", pid: nats });
    const rss = processes.map((p) => ({
      name: p.name,
      peakMb: Math.round((readProcessMemory(p.pid)?.peakBytes ?? 0) / 2 ** 20),
    }));
    rss.push({ name: "bench", peakMb: Math.round(benchPeakRssBytes() / 2 ** 20) });

    const figures = {
      members,
      seedSeconds: +audience.seconds.toFixed(1),
      broadcast: {
        firstQueuedSeconds: broadcast.firstQueuedSeconds === null ? null : +broadcast.firstQueuedSeconds.toFixed(1),
        queuedSeconds: broadcast.queuedSeconds === null ? null : +broadcast.queuedSeconds.toFixed(1),
        lastRowQueuedSeconds:
          broadcast.lastRowQueuedSeconds === null ? null : +broadcast.lastRowQueuedSeconds.toFixed(1),
        sentSeconds: broadcast.sentSeconds === null ? null : +broadcast.sentSeconds.toFixed(1),
        queued: broadcast.queued,
        sent: broadcast.sent,
        failed: broadcast.failed,
        queuedPerSec: broadcast.queuedSeconds === null ? null : Math.round(broadcast.queued / broadcast.queuedSeconds),
        sentPerSec: Math.round(broadcast.sendRate),
      },
      webhooks: deliveries && {
        received: deliveries.received,
        seconds: +deliveries.seconds.toFixed(1),
        perSec: Math.round(deliveries.perSec),
      },
      ingestion: { before, during },
      peakRssMb: rss,
      planningOnly,
      backgroundPriority: planningOnly ? null : background.CPU_PRIORITY,
    };
    if (settings.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    else {
      const out = [
        planningOnly
          ? `broadcast to ${members} members, planning only (no consumers, no sender)`
          : `broadcast to ${members} members (development e-mail provider; consumers and sender at ${background.CPU_PRIORITY} CPU priority)`,
        `  first message queued after ${figures.broadcast.firstQueuedSeconds ?? "—"} s, the last committed after ${figures.broadcast.queuedSeconds ?? "—"} s (its transaction began at ${figures.broadcast.lastRowQueuedSeconds ?? "—"} s; ${figures.broadcast.queuedPerSec ?? "—"} messages/s; bar: < 30 s)`,
        planningOnly
          ? "  nothing sent (planning only)"
          : `  last message sent after ${figures.broadcast.sentSeconds ?? "—"} s (${figures.broadcast.sentPerSec} messages/s sent); ${broadcast.sent} sent, ${broadcast.failed} failed or cancelled`,
        deliveries
          ? `  webhooks: ${deliveries.received} message.sent deliveries in ${figures.webhooks!.seconds} s (${figures.webhooks!.perSec}/s)`
          : "  webhooks: not measured",
        `ingestion at ${rate} tx/s`,
        `  ${ingestionLine("before", before)}`,
        `  ${ingestionLine("during", during)}`,
        `peak RSS: ${rss.map((r) => `${r.name} ${r.peakMb} MB`).join(", ")}`,
      ];
      process.stdout.write(`${out.join("\n")}\n`);
    }
    if (broadcast.queuedSeconds === null || (!planningOnly && broadcast.sentSeconds === null)) failed = true;
    return failed ? 1 : 0;
  } catch (e) {
    failed = true;
    progress(`bench failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await client?.end().catch(() => {});
    await receiver?.close().catch(() => {});
    await system?.stop({ keepLogs: failed });
  }
}

/**
 * The template, the campaign (a one-off broadcast to the segment, one e-mail) and, when measured, a webhook
 * endpoint for `message.sent`, created through the tRPC API as an admin would. `start()` saves the broadcast's
 * time as now and schedules it: the scheduler's next round runs it.
 */
async function createBroadcast(system: SpawnedSystem, segmentId: string, hookUrl: string | null) {
  const call = <T>(kind: "query" | "mutation", path: string, input: unknown) =>
    trpcCall<T>(system.apiUrl!, system.keys.admin, kind, path, input);
  const template = await call<{ id: string }>("mutation", "templates.create", {
    name: "New on the menu",
    channel: "email",
    variants: [
      {
        channel: "email",
        language: "en",
        subject: "Something new for you, {{ customer.first_name }}",
        format: "html",
        body: '<p>Hi {{ customer.first_name }}, you have {{ points.balance }} points. <a href="https://bench.example/menu">See the menu</a></p>',
      },
    ],
  });
  const definition = (at: Date) => ({
    name: "Bench broadcast",
    audience: { kind: "segment", segmentId },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: at.toISOString() } },
    actions: [{ type: "send_message", channel: "email", templateId: template.id }],
  });
  const campaign = await call<{ id: string }>(
    "mutation",
    "campaigns.create",
    definition(new Date(Date.now() + 3_600_000)),
  );
  if (hookUrl) await call("mutation", "webhooks.endpoints.create", { url: hookUrl, eventTypes: ["message.sent"] });
  return {
    campaignId: campaign.id,
    /** Schedules the run half a second ahead; resolves with its planned time. */
    async start(): Promise<Date> {
      const at = new Date(Date.now() + 500);
      await call("mutation", "campaigns.update", { id: campaign.id, definition: definition(at) });
      await call("mutation", "campaigns.schedule", { id: campaign.id });
      return at;
    },
  };
}

main().then(
  (code) => process.exit(code),
  (e) => {
    progress(String(e));
    process.exit(1);
  },
);
