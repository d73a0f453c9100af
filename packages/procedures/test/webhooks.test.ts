import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { maxEndpointsPerTenant } from "@regulars/webhooks-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

// webhooks.* over tRPC: admins only, the secret shown once, refusals naming the field, tenants apart.

let db: Db;
let mine: Awaited<ReturnType<typeof tenantCallers>>;
let theirs: Awaited<ReturnType<typeof tenantCallers>>;
const url = "https://hooks.example.com/regulars";

beforeAll(async () => {
  db = testDb();
  mine = await tenantCallers(db, "Webhook Diner");
  theirs = await tenantCallers(db, "Other Diner");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("webhooks.endpoints", () => {
  it("shows the secret at creation and rotation only, and lists status without it", async () => {
    const created = await mine.admin.webhooks.endpoints.create({ url, eventTypes: ["points.*", "tier.changed"] });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.endpoint).toMatchObject({ url, status: "enabled", eventTypes: ["points.*", "tier.changed"] });
    const listed = await mine.admin.webhooks.endpoints.list();
    expect(listed).toEqual([created.endpoint]);
    expect(JSON.stringify(listed)).not.toContain("whsec_");
    const rotated = await mine.admin.webhooks.endpoints.rotateSecret({ id: created.endpoint.id });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);

    const disabled = await mine.admin.webhooks.endpoints.disable({ id: created.endpoint.id, reason: "maintenance" });
    expect(disabled).toMatchObject({ status: "disabled", disabledReason: "maintenance" });
    expect(await mine.admin.webhooks.endpoints.enable({ id: created.endpoint.id })).toMatchObject({
      status: "enabled",
      disabledReason: null,
    });
    const actions =
      // Ids are monotonic in a process (time-sortable); rows without an ORDER BY come back in any order.
      (
        await db.auditLog.findMany({
          where: { tenantId: mine.tenantId, target: created.endpoint.id },
          orderBy: { id: "asc" },
        })
      ).map((a) => [a.action, a.actor]);
    expect(actions).toEqual(
      ["create", "rotate_secret", "disable", "enable"].map((a) => [`webhooks.endpoints.${a}`, mine.adminKeyId]),
    );
  });

  it("refuses private URLs and unknown event types, naming the field", async () => {
    const error = await failure(
      mine.admin.webhooks.endpoints.create({ url: "http://169.254.169.254/latest", eventTypes: ["points.stolen"] }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(issuesOf(error)).toEqual([
      { path: "url", message: "must be an https URL" },
      { path: "eventTypes.0", message: '"points.stolen" is not an event type an endpoint can subscribe to' },
    ]);
  });

  it("accepts local http endpoints where the API allows private networks (development)", async () => {
    const local = createCaller({
      db,
      credential: mine.adminCredential,
      requestId: "req_test",
      webhookUrls: { allowPrivateNetworks: true },
    });
    const { endpoint } = await local.webhooks.endpoints.create({ url: "http://127.0.0.1:9/hook", eventTypes: ["*"] });
    await local.webhooks.endpoints.delete({ id: endpoint.id });
  });

  it("refuses an endpoint past the tenant's limit with a conflict naming it", async () => {
    const capped = await tenantCallers(db, "Capped Diner");
    for (let n = 0; n < maxEndpointsPerTenant; n++)
      await capped.admin.webhooks.endpoints.create({ url: `${url}/${n}`, eventTypes: ["*"] });
    const error = await failure(capped.admin.webhooks.endpoints.create({ url, eventTypes: ["*"] }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe(
      `a tenant may have at most ${maxEndpointsPerTenant} webhook endpoints: delete one before adding another`,
    );
  });

  it("is for admin keys only", async () => {
    for (const caller of [mine.pos, mine.kiosk, mine.analyst])
      expect((await failure(caller.webhooks.endpoints.list())).code).toBe("FORBIDDEN");
  });
});

describe("webhooks.deliveries", () => {
  it("queues a test ping, lists it, and replays one delivery or every failed one", async () => {
    const { endpoint } = await mine.admin.webhooks.endpoints.create({ url, eventTypes: ["coupon.issued"] });
    const ping = await mine.admin.webhooks.endpoints.test({ id: endpoint.id });
    expect(ping).toMatchObject({ eventType: "webhook.ping", status: "pending", payload: { type: "webhook.ping" } });
    // A ping makes the tenant's server receive a signed request: audited, naming the endpoint and the delivery.
    const pinged = await db.auditLog.findMany({
      where: { tenantId: mine.tenantId, target: endpoint.id },
      orderBy: { id: "asc" },
    });
    expect(pinged.map((a) => [a.action, a.actor, a.details])).toEqual([
      ["webhooks.endpoints.create", mine.adminKeyId, expect.anything()],
      ["webhooks.endpoints.test", mine.adminKeyId, { deliveryId: ping.id }],
    ]);
    const listed = await mine.admin.webhooks.deliveries.list({ endpointId: endpoint.id });
    expect(listed.items.map((d) => d.id)).toEqual([ping.id]);
    expect((await mine.admin.webhooks.deliveries.list({ endpointId: endpoint.id, status: "failed" })).items).toEqual(
      [],
    );
    // Still pending, the ping is on its way already: a replay would overlap it.
    expect(await mine.admin.webhooks.deliveries.replay({ id: ping.id })).toEqual({ replayed: 0 });
    expect(await mine.admin.webhooks.deliveries.replay({ endpointId: endpoint.id })).toEqual({ replayed: 0 });
    expect((await failure(mine.admin.webhooks.deliveries.replay({}))).code).toBe("BAD_REQUEST");
  });
});

describe("tenants", () => {
  it("never see or change another tenant's endpoints or deliveries", async () => {
    const { endpoint } = await mine.admin.webhooks.endpoints.create({ url, eventTypes: ["*"] });
    const ping = await mine.admin.webhooks.endpoints.test({ id: endpoint.id });
    const other = theirs.admin.webhooks;
    expect((await other.endpoints.list()).map((e) => e.id)).not.toContain(endpoint.id);
    expect((await other.deliveries.list({ endpointId: endpoint.id })).items).toEqual([]);
    for (const attempt of [
      () => other.endpoints.get({ id: endpoint.id }),
      () => other.endpoints.update({ id: endpoint.id, url: "https://evil.example.com/" }),
      () => other.endpoints.disable({ id: endpoint.id }),
      () => other.endpoints.enable({ id: endpoint.id }),
      () => other.endpoints.rotateSecret({ id: endpoint.id }),
      () => other.endpoints.test({ id: endpoint.id }),
      () => other.endpoints.delete({ id: endpoint.id }),
      () => other.deliveries.replay({ id: ping.id }),
      () => other.deliveries.replay({ endpointId: endpoint.id }),
    ])
      expect((await failure(attempt())).code).toBe("NOT_FOUND");
    expect(await mine.admin.webhooks.endpoints.get({ id: endpoint.id })).toMatchObject({ url, status: "enabled" });
  });
});
