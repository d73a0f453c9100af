import { hash } from "node:crypto";

/**
 * A customer's stable place in [0, 1) for one campaign: the first 52 bits of SHA-256 over both ids. The
 * same pair always lands in the same place, on every instance and after every restart, so a holdout never
 * flips between messages; another campaign hashes differently, so the same customers are not held out of
 * every campaign.
 */
export function holdoutPosition(campaignId: string, customerId: string): number {
  // JSON keeps the two ids apart: ("ab", "c") and ("a", "bc") hash differently.
  const digest = hash("sha256", JSON.stringify([campaignId, customerId]), "buffer");
  // 52 bits fit a double exactly; dividing by 2^52 gives a uniform value in [0, 1).
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4) >>> 12;
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/** Whether the customer is held out of the campaign: their position falls below the control share. */
export function isInControlGroup(campaignId: string, customerId: string, share: number): boolean {
  if (!(share > 0)) return false;
  return holdoutPosition(campaignId, customerId) < share;
}
