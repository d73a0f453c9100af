import type { ConsentChannel, FrequencyCap } from "@regulars/contracts";
import { HOUR_MS } from "./local-time.ts";

/** A message sent (or already queued) to the customer, by any campaign. */
export interface PreviousSend {
  channel: ConsentChannel;
  at: Date;
  /** The step's key, when a campaign sent it: a plan made again does not count its own messages. */
  key?: string | undefined;
}

/**
 * Whether one more message (on `channel`, when given) at `at` keeps every rolling window of the cap within its limit.
 * Sends queued for later count too: a message at 10:00 must not push an 18:00 one already queued over the
 * cap of the window that holds both. A window is half-open, [start, start + window), measured in milliseconds.
 */
export function capAllows(
  cap: FrequencyCap,
  previousSends: readonly PreviousSend[],
  at: Date,
  channel?: ConsentChannel,
): boolean {
  // A cap on another channel than the message's says nothing about it.
  if (cap.channel !== undefined && channel !== undefined && cap.channel !== channel) return true;
  const window = cap.windowHours * HOUR_MS;
  const t = at.getTime();
  const near = previousSends
    .filter((s) => cap.channel === undefined || s.channel === cap.channel)
    .map((s) => s.at.getTime())
    .filter((s) => s > t - window && s < t + window);
  // A send u is inside [s, s + window) for s in (u − window, u]: counts only rise where a window's start
  // reaches one past u − window, so those starts (and the earliest window holding `at`) are the ones to check.
  const starts = [t - window + 1, ...near.map((u) => u - window + 1).filter((s) => s > t - window && s <= t)];
  const busiest = Math.max(...starts.map((start) => near.filter((s) => s >= start && s < start + window).length));
  return busiest + 1 <= cap.max;
}

/** The first cap that refuses the send, or null when every cap allows it. */
export function capRefusing(
  caps: readonly FrequencyCap[],
  previousSends: readonly PreviousSend[],
  at: Date,
  channel: ConsentChannel,
): FrequencyCap | null {
  return caps.find((cap) => !capAllows(cap, previousSends, at, channel)) ?? null;
}
