import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  brandApp,
  campaignScenario,
  eventually,
  messagesOf,
  quietPeriod,
  received,
  scenarioTimeoutMs,
} from "./campaign-fixture.ts";
import type { TestSystem } from "./system-fixture.ts";

vi.setConfig({ testTimeout: scenarioTimeoutMs });

// The specification's "frequency caps per customer" across campaigns: the brand's own caps, set by the admin over
// tRPC, held by the campaign runner and the message sender of the real system for every campaign.

const scenario = campaignScenario();
let system: TestSystem;
let db: Db;
beforeAll(() => {
  ({ system, db } = scenario);
});

const week = 24 * 7;

describe("the tenant's own frequency caps", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Capped Burgers");
  });

  it("two campaigns set off by one sign-up send one e-mail under a cap of one per channel per week", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    // Set before any of the tenant's campaigns ran, so no worker holds the empty list in its cache.
    await admin.tenants.setFrequencyCaps.mutate({
      caps: [
        { channel: "email", max: 1, windowHours: week },
        { channel: "push", max: 1, windowHours: week },
      ],
    });
    const campaigns = [];
    for (const name of ["Welcome", "Loyalty club"]) {
      const template = await admin.templates.create.mutate({
        name,
        channel: "email",
        variants: [
          {
            channel: "email",
            language: "en",
            subject: name,
            format: "text",
            body: `${name}, {{ customer.first_name }}`,
          },
        ],
      });
      // Neither campaign has caps of its own: only the tenant's hold them back.
      campaigns.push(
        await admin.campaigns.create.mutate({
          name,
          status: "active",
          audience: { kind: "none" },
          trigger: { type: "registered" },
          actions: [{ type: "send_message", channel: "email", templateId: template.id }],
        }),
      );
    }

    const signedUp = await brandApp(system, tenant).register(`apple-capped-${Date.now()}`, {
      email: "ada@example.com",
    });
    const customerId = signedUp.customer.id;

    // Both campaigns planned their e-mail (queued, or skipped as capped), and one went out.
    await eventually("both campaigns' steps for the customer", async () => {
      const steps = await db.campaignStep.findMany({ where: { tenantId: tenant.tenantId, customerId } });
      return steps.length === 2 && steps.every((s) => s.status !== "pending") ? steps : undefined;
    });
    await eventually("an e-mail at the development provider", async () => {
      const mails = await received(db, tenant, customerId, "email");
      return mails.length ? mails : undefined;
    });
    await quietPeriod();

    const mails = await received(db, tenant, customerId, "email");
    expect(mails).toHaveLength(1);
    const messages = await messagesOf(system, tenant, { customerId });
    expect(messages.filter((m) => m.status !== "cancelled")).toEqual([
      expect.objectContaining({ status: "sent", channel: "email" }),
    ]);
    // The other campaign's e-mail was capped, at planning or right before sending.
    const sentBy = messages.find((m) => m.status === "sent")!.campaignId;
    const other = campaigns.find((c) => c.id !== sentBy)!;
    const [otherStep] = await db.campaignStep.findMany({ where: { campaignId: other.id, customerId } });
    const otherMessages = await db.message.findMany({ where: { campaignId: other.id, customerId } });
    const capped = otherStep?.reason === "capped" || otherMessages.some((m) => m.status === "cancelled");
    expect(capped).toBe(true);
  });
});
