import type { RouterInputs } from "@regulars/web-ui";

export type SimulateInput = RouterInputs["programme"]["simulate"];
export type Channel = SimulateInput["basket"]["channel"];

/** A basket line as the simulator holds it: a product from the menu and how many of it. */
export interface SimulatorLine {
  sku: string;
  name: string;
  category: string;
  tags: string[];
  unitPrice: number;
  quantity: number;
}

/** What the simulator's fields hold when "Simulate" is pressed. */
export interface SimulatorDraft {
  lines: readonly SimulatorLine[];
  channel: Channel;
  locationId: string;
  /** A tier id, or "" for a customer in no tier. */
  tier: string;
  /** Ids of the segments the simulated customer is a member of. */
  segments: readonly string[];
}

/**
 * The request the simulator sends. The customer's segments go with it: the server cannot know whom the admin means,
 * and without them every rule limited to a segment would quote 0 while real sales by its members earn by it.
 */
export function simulateRequest(draft: SimulatorDraft): SimulateInput {
  return {
    basket: {
      channel: draft.channel,
      locationId: draft.locationId,
      lines: draft.lines.map(({ sku, name, category, tags, unitPrice, quantity }) => ({
        sku,
        name,
        category,
        tags,
        unitPrice,
        quantity,
        discount: 0,
      })),
    },
    customer: { tier: draft.tier || null, earnedToday: 0, segments: [...draft.segments] },
  };
}
