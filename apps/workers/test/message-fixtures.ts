import { createServer, type IncomingHttpHeaders } from "node:http";
import { type CampaignDefinition, type ConsentStatement, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer, savePushToken } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { MessageTemplateInput } from "@regulars/messaging";

// Customers, templates and campaigns for the message sender's tests, and a provider's HTTP API played by a real
// local server.

let n = 0;
const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Every consent: marketing on each channel, and profiling (a segment's campaign needs it too). */
export const allConsents: ConsentStatement[] = (["email", "sms", "push"] as const).flatMap((channel) =>
  (["marketing", "profiling"] as const).map((purpose) => ({ channel, purpose, granted: true })),
);

export async function messageCustomer(
  db: Db,
  tenantId: string,
  setup: { email?: string; phone?: string; pushToken?: string; consents?: ConsentStatement[]; at: Date },
): Promise<string> {
  const registration = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({
      externalIdentity: { provider: "brand", subject: `sender-${unique()}` },
      name: "Ada Lovelace",
      ...(setup.email ? { email: setup.email } : {}),
      ...(setup.phone ? { phone: setup.phone } : {}),
      consents: setup.consents ?? allConsents,
      consentedAt: setup.at.toISOString(),
    }),
    { actor: "key_app", source: "app", now: setup.at },
  );
  const id = registration.customer.id;
  if (setup.pushToken)
    await savePushToken(
      db,
      tenantId,
      id,
      { deviceId: `dev-${unique()}`, platform: "android", token: setup.pushToken },
      setup.at,
    );
  return id;
}

export async function messageTemplate(db: Db, tenantId: string, variant: MessageTemplateInput): Promise<string> {
  const id = newId("messageTemplate");
  await db.messageTemplate.create({
    data: { id, tenantId, name: `template ${id}`, channel: variant.channel, variants: [variant], createdBy: "test" },
  });
  return id;
}

/** A campaign row with a definition holding what the sender reads (status, frequency caps, delivery). */
export async function messageCampaign(
  db: Db,
  tenantId: string,
  caps: { max: number; windowHours: number; channel?: "email" | "sms" | "push" }[] = [],
  delivery?: CampaignDefinition["delivery"],
): Promise<string> {
  const id = newId("campaign");
  await db.campaign.create({
    data: {
      id,
      tenantId,
      name: `campaign ${id}`,
      status: "active",
      triggerType: "registered",
      version: 1,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({
    data: {
      tenantId,
      campaignId: id,
      version: 1,
      definition: { limits: { frequencyCaps: caps }, ...(delivery ? { delivery } : {}) },
      createdBy: "test",
    },
  });
  return id;
}

/** A broadcast campaign's row and its version 1, in the definition's status, due at `runAt`. */
export async function broadcastCampaign(
  db: Db,
  tenantId: string,
  definition: CampaignDefinition,
  runAt: Date,
): Promise<string> {
  const campaignId = newId("campaign");
  await db.campaign.create({
    data: {
      id: campaignId,
      tenantId,
      name: definition.name,
      status: definition.status,
      triggerType: "broadcast",
      version: 1,
      nextRunAt: runAt,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({ data: { tenantId, campaignId, version: 1, definition, createdBy: "test" } });
  return campaignId;
}

export const stepKeyOf = () => `cst_${unique()}`;

export interface ProviderRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}
export type ProviderAnswer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

/** A provider's HTTP API on this machine: records each request and answers what the test says, when it says. */
export async function providerServer(answer: (request: ProviderRequest, index: number) => ProviderAnswer | "hang") {
  const requests: ProviderRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = {
        path: req.url ?? "",
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>,
        at: Date.now(),
      };
      requests.push(request);
      const reply = answer(request, requests.length - 1);
      if (reply === "hang") return;
      setTimeout(() => {
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
