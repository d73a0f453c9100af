import { CustomerRef } from "@regulars/contracts";
import { expect, it } from "vitest";
import { busTopology, partitionOf, transactionPartition } from "../src/index.ts";

// A till's `+480604100077` (a 0 kept after Poland's code, as the till read it) and the app's `+48604100077` are one
// person: their sales share a ledger partition, so they are applied in the order they were accepted.
it("puts the sales of both spellings of one number in one partition", () => {
  const topology = busTopology("shop", 16);
  const sale = (phone: string) => ({
    type: "sale" as const,
    externalId: "S-1",
    // As the gateway parses the till's body: the number stays as posted.
    customer: CustomerRef.parse({ phone }),
  });
  const tenants = Array.from({ length: 20 }, (_, i) => `tn_${i}`);
  // The keys as posted fall in different partitions for some tenants: what one person's sales must not do.
  expect(
    tenants.some((t) => partitionOf(t, "phone:+480604100077", 16) !== partitionOf(t, "phone:+48604100077", 16)),
  ).toBe(true);
  for (const tenantId of tenants)
    expect(transactionPartition(topology, tenantId, sale("+480604100077")), tenantId).toBe(
      transactionPartition(topology, tenantId, sale("+48604100077")),
    );
});
