import type { ConsentChannel, ConsentPurpose } from "@regulars/contracts";

/** One consent choice as the customers store keeps its history (or its state in force). */
export interface ConsentChoice {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  granted: boolean;
  /** When the customer made the choice. */
  occurredAt: string | Date;
  /** When it was recorded: breaks ties between choices made at the same instant, as the store does. */
  recordedAt?: string | Date | undefined;
}

const ms = (t: string | Date | undefined): number => (t === undefined ? 0 : new Date(t).getTime());

/**
 * The choice in force for a channel and purpose: the latest by when the customer made it, then by when it was
 * recorded (the same order as `currentConsents` in the customers store). A late offline upload of an old
 * choice therefore never overrides a newer one.
 */
export function consentInForce(
  consents: readonly ConsentChoice[],
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): ConsentChoice | null {
  let latest: ConsentChoice | null = null;
  for (const c of consents) {
    if (c.channel !== channel || c.purpose !== purpose) continue;
    const newer =
      latest === null ||
      ms(c.occurredAt) > ms(latest.occurredAt) ||
      (ms(c.occurredAt) === ms(latest.occurredAt) && ms(c.recordedAt) > ms(latest.recordedAt));
    if (newer) latest = c;
  }
  return latest;
}

/**
 * Whether a marketing message may go out on the channel: only when the customer's choice in force for that
 * channel and `marketing` is a grant. A channel never chosen counts as refused, and consent to another channel
 * or to profiling never stands in for it.
 */
export function consentAllows(channel: ConsentChannel, consents: readonly ConsentChoice[]): boolean {
  return consentInForce(consents, channel, "marketing")?.granted === true;
}

/**
 * The same answer from a customer snapshot's granted consents (`push:marketing`, as segments keep them):
 * the snapshot already holds only the latest choices that are grants.
 */
export function consentAllowsGranted(channel: ConsentChannel, granted: readonly string[]): boolean {
  return granted.includes(`${channel}:marketing`);
}
