import { settleSkippedEnrolmentsOfMessages } from "@regulars/campaigns-store";
import { type Db, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import {
  type ClaimedMessage,
  claimDueMessages,
  decideSends,
  type Recorded,
  recordCancelled,
  recordFailure,
  recordHeld,
  recordSentMany,
  type SendCheckOptions,
  type SendDecision,
  type SentMessage,
} from "@regulars/messages-store";
import {
  type Channel,
  defaultRetryPolicy,
  type RetryPolicy,
  type SendOptions,
  type SendResult,
  sendFailure,
} from "@regulars/messaging";
import type { Registry } from "prom-client";
import { claimLoop } from "../claim-loop.ts";
import { sharedCounter, sharedHistogram } from "../shared-metrics.ts";
import { type ChannelProviders, routeMessage } from "./channel-providers.ts";
import { recordBeforeLeaseEnds } from "./record-before-lease-ends.ts";

export interface MessageSenderOptions {
  db: Db;
  log: Logger;
  providers: ChannelProviders;
  /** Messages in flight at once in this process. */
  concurrency?: number;
  /** Messages of one channel in flight at once (three quarters of `concurrency` by default): all a hanging provider can hold. */
  perChannel?: number;
  /**
   * How long a send may take before it counts as a timeout (and is retried by the policy). Waiting for one of a
   * provider's connections (SMTP) is not sending: it may take as long again, and a message still waiting then is
   * withdrawn, never sent.
   */
  sendTimeoutMs?: number;
  /** How often to look for due messages. */
  pollMs?: number;
  /** How long a message of a paused campaign waits before it is looked at again. */
  holdMs?: number;
  retryPolicy?: RetryPolicy;
  /** Publishes domain events once their change committed (the outbox relay publishes what this misses). */
  publish?: (items: OutboxItem[]) => Promise<void>;
  tenantCaps?: SendCheckOptions["tenantCaps"];
  /** Only these tenants' messages; all when absent. */
  tenantIds?: readonly string[];
  clock?: () => Date;
  random?: () => number;
  registry?: Registry;
}

export const messageSenderDefaults = { concurrency: 64, sendTimeoutMs: 30_000, pollMs: 1_000, holdMs: 60_000 };

/**
 * What a claim's lease allows beside the send (its wait for a provider's connection, then its timeout): deciding,
 * then recording the other results and the sends, each a transaction that may wait up to 30 s for a connection under
 * load (`withTransaction`'s `maxWait`), and the sends tried again through a Postgres outage until shortly before the
 * lease ends. A lease that ends before the sends are recorded lets another sender send them again.
 */
const recordingMs = 90_000;

interface GroupResult {
  results: { claimed: ClaimedMessage; recorded: Recorded }[];
  /** Messages whose result could not be recorded: they stay queued and are taken again when the lease ends. */
  failed: { claimed: ClaimedMessage; error: unknown }[];
}

export interface MessageSender {
  /** Claims what is due now (up to the free slots) and resolves once those are recorded; how many it took. */
  sendDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

function senderMetrics(registry: Registry | undefined) {
  if (!registry) return null;
  const outcomes = sharedCounter(registry, {
    name: "regulars_messages_total",
    help: "Messages taken by the sender, by channel and outcome (sent|retrying|failed|cancelled|held|stale)",
    labelNames: ["channel", "outcome"],
  });
  const seconds = sharedHistogram(registry, {
    name: "regulars_message_send_seconds",
    help: "How long a provider took to take a message (or to fail)",
    labelNames: ["provider"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  return { outcomes, seconds };
}

/**
 * Sends queued messages out of Postgres: claims what is due, asks again whether each may go (consent, address,
 * caps, the campaign's status), hands it to the channel's provider with a timeout, and records the result with
 * its domain event: sent, retried after the policy's backoff, failed with the provider's code, or cancelled with
 * the reason. At most `concurrency` messages are in flight, each in its own slot, and at most `perChannel` of one
 * channel, so a provider that hangs delays only the messages it holds. Several processes may run one: claims never
 * overlap.
 */
export function createMessageSender(opts: MessageSenderOptions): MessageSender {
  const { db, log } = opts;
  const settings = { ...messageSenderDefaults, ...definedOf(opts) };
  const clock = opts.clock ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const metrics = senderMetrics(opts.registry);
  const perChannel = opts.perChannel ?? Math.max(1, Math.ceil((settings.concurrency * 3) / 4));
  const running = new Set<Promise<void>>();
  /** Messages in flight (a claim's groups hold one slot per message). */
  let busy = 0;
  const inFlight = new Map<Channel, number>();
  const stopping = new AbortController();

  /**
   * One claim's messages of one channel: decided together (a statement per kind of fact), sent each on its own
   * with a timeout, the sent ones recorded in one transaction, the rest one by one (retries, failures and
   * cancellations are few). Channels are grouped apart, so a provider that hangs holds only its own channel's
   * slots until its timeout. A message whose result could not be recorded is given back to its lease (`failed`),
   * and never keeps the others' sends from being recorded: a send the provider took and nobody recorded would be
   * claimed again once the lease ends and reach the customer twice.
   */
  const sendGroup = async (group: ClaimedMessage[], leaseEndsAt: Date): Promise<GroupResult> => {
    const decisions = await decideSends(db, group, { tenantCaps: opts.tenantCaps, now: clock() });
    const results: GroupResult["results"] = [];
    const failed: GroupResult["failed"] = [];
    const sent: SentMessage[] = [];
    const settleEnrolment = async (claimed: ClaimedMessage, recorded: Recorded): Promise<OutboxItem[]> => {
      if (recorded.outcome !== "cancelled" || claimed.campaignId === null) return [];
      // The cancellation is committed whatever becomes of this: planning the customer again settles it at the latest.
      return withTransaction(db, (tx) => settleSkippedEnrolmentsOfMessages(tx, [claimed.id])).catch((e: unknown) => {
        log.warn({ err: e, messageId: claimed.id }, "settling the cancelled message's enrolment failed");
        return [];
      });
    };
    const settle = async (claimed: ClaimedMessage, decision: SendDecision) => {
      if (decision.action === "cancel") {
        const recorded = await recordCancelled(db, claimed, decision, clock());
        results.push({
          claimed,
          recorded: { ...recorded, outbox: [...recorded.outbox, ...(await settleEnrolment(claimed, recorded))] },
        });
        return;
      }
      if (decision.action === "hold") {
        const until = decision.until ?? new Date(clock().getTime() + settings.holdMs);
        results.push({ claimed, recorded: await recordHeld(db, claimed, until) });
        return;
      }
      const { message } = decision;
      const provider = routeMessage(opts.providers, message);
      const started = performance.now();
      const result = await sendInTime(provider.send, settings.sendTimeoutMs);
      metrics?.seconds.observe({ provider: provider.name }, (performance.now() - started) / 1000);
      if (result.ok)
        sent.push({ claimed, message, provider: provider.name, providerMessageId: result.providerMessageId });
      else if (result.failure.notSent)
        // Withdrawn while it waited for a connection: no attempt was made, so it waits its turn again uncounted.
        results.push({
          claimed,
          recorded: await recordHeld(db, claimed, new Date(clock().getTime() + settings.holdMs)),
        });
      else
        results.push({
          claimed,
          recorded: await recordFailure(db, claimed, message, provider.name, result.failure, {
            now: clock(),
            policy: opts.retryPolicy ?? defaultRetryPolicy,
            random: random(),
          }),
        });
    };
    await Promise.all(
      group.map((claimed, i) =>
        settle(claimed, decisions[i]!).catch((error: unknown) => failed.push({ claimed, error })),
      ),
    );
    const recorded = await recordBeforeLeaseEnds(() => recordSentMany(db, sent, clock()), {
      leaseEndsAt,
      clock,
      stopping: stopping.signal,
    }).catch((error: unknown) => {
      log.error(
        { err: error, messageIds: sent.map((s) => s.claimed.id), leaseEndsAt, stopping: stopping.signal.aborted },
        "providers took these messages but their sends could not be recorded before the lease ended or the " +
          "sender stopped: they stay queued and reach the customers a second time; check Postgres",
      );
      return [];
    });
    for (const [i, r] of recorded.entries()) results.push({ claimed: sent[i]!.claimed, recorded: r });
    return { results, failed };
  };

  const track = (group: ClaimedMessage[], leaseEndsAt: Date) => {
    const channel = group[0]!.channel;
    inFlight.set(channel, (inFlight.get(channel) ?? 0) + group.length);
    busy += group.length;
    const done = sendGroup(group, leaseEndsAt)
      .then(async ({ results, failed }) => {
        for (const { claimed, error } of failed)
          log.warn({ err: error, messageId: claimed.id }, "recording a message's result failed; it is retried");
        for (const { claimed, recorded } of results) {
          metrics?.outcomes.inc({ channel: claimed.channel, outcome: recorded.outcome });
          if (recorded.outcome === "failed" || recorded.outcome === "cancelled")
            log.info({ messageId: claimed.id, outcome: recorded.outcome }, "message not sent");
        }
        const outbox = results.flatMap((r) => r.recorded.outbox);
        if (outbox.length && opts.publish)
          await opts
            .publish(outbox)
            .catch((e: unknown) =>
              log.warn({ err: e }, "publishing message events failed; the outbox relay will retry"),
            );
      })
      // The claims' leases keep the messages from others until they end; then they are taken again.
      .catch((e: unknown) =>
        log.warn({ err: e, messageIds: group.map((m) => m.id) }, "sending messages failed; they are retried"),
      )
      .finally(() => {
        const left = (inFlight.get(channel) ?? group.length) - group.length;
        if (left > 0) inFlight.set(channel, left);
        else inFlight.delete(channel);
        busy -= group.length;
        running.delete(done);
        loop.wake();
      });
    running.add(done);
    return done;
  };

  const claimAndStart = async (): Promise<{ taken: number; done: Promise<void>[] }> => {
    const free = settings.concurrency - busy;
    if (free <= 0) return { taken: 0, done: [] };
    const now = clock();
    const leaseMs = 2 * settings.sendTimeoutMs + recordingMs;
    const leaseEndsAt = new Date(now.getTime() + leaseMs);
    const claimed = await claimDueMessages(db, {
      now,
      limit: free,
      leaseMs,
      perChannel,
      inFlight,
      ...(opts.tenantIds ? { tenantIds: opts.tenantIds } : {}),
    });
    const byChannel = new Map<Channel, ClaimedMessage[]>();
    for (const m of claimed) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
    return { taken: claimed.length, done: [...byChannel.values()].map((group) => track(group, leaseEndsAt)) };
  };

  const loop = claimLoop({
    concurrency: settings.concurrency,
    pollMs: settings.pollMs,
    busy: () => busy,
    claimAndStart: async () => (await claimAndStart()).taken,
    onError: (e) => log.warn({ err: e }, "looking for due messages failed; will retry"),
  });

  return {
    async sendDue() {
      const { taken, done } = await claimAndStart();
      await Promise.all(done);
      return taken;
    },
    start: () => loop.start(),
    async stop() {
      // Sends still being recorded through an outage get one more attempt: shutdown does not wait out the lease.
      stopping.abort();
      await loop.stop();
      await Promise.all(running);
    },
  };
}

/**
 * A provider that does not answer in time has failed this attempt; the lease keeps others off meanwhile. A provider
 * that queues messages behind its connections says when one is handed on, and the send gets its full time from
 * there: one handed on just before the time ran out would otherwise still be delivered after the timeout, and again
 * by the retry. One still queued when the time runs out is withdrawn, never sent, and its answer says so. A send
 * under way when the time runs out has an unknown outcome and is retried like any timeout: providers carry our id
 * for the receiver to de-duplicate (the Message-ID, the webhook's `webhook-id`), and their own timeouts are kept
 * below this one (`createProvider`'s `sendTimeoutMs`), so they end a send they can end before it gets here.
 */
async function sendInTime(send: (options: SendOptions) => Promise<SendResult>, ms: number): Promise<SendResult> {
  const stopWaiting = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let restart = () => {};
  const late = new Promise<SendResult>((resolve) => {
    const giveUp = () => {
      stopWaiting.abort();
      // After the answer of a provider that withdraws the message at the abort (microtasks): it was never sent.
      setImmediate(() => resolve({ ok: false, failure: sendFailure("timeout", `no answer in ${ms} ms`) }));
    };
    timer = setTimeout(giveUp, ms);
    restart = () => {
      if (stopWaiting.signal.aborted) return;
      clearTimeout(timer);
      timer = setTimeout(giveUp, ms);
    };
  });
  const thrown = send({ signal: stopWaiting.signal, started: () => restart() }).catch(
    (e: unknown): SendResult => ({ ok: false, failure: sendFailure("provider_error", String(e).slice(0, 300)) }),
  );
  try {
    return await Promise.race([thrown, late]);
  } finally {
    clearTimeout(timer);
  }
}

function definedOf(opts: MessageSenderOptions) {
  const { concurrency, sendTimeoutMs, pollMs, holdMs } = opts;
  return Object.fromEntries(
    Object.entries({ concurrency, sendTimeoutMs, pollMs, holdMs }).filter(([, v]) => v !== undefined),
  ) as Partial<typeof messageSenderDefaults>;
}
