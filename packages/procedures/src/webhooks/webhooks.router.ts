import { openEventGroups, strictUrlPolicy, webhookEventTypes } from "@regulars/webhooks";
import {
  createEndpoint,
  deleteEndpoint,
  enqueuePing,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  replayDelivery,
  replayFailedDeliveries,
  rotateSecret,
  setEndpointStatus,
  updateEndpoint,
} from "@regulars/webhooks-store";
import { roleProcedure, router, type TenantContext } from "../trpc.ts";
import {
  CreateEndpointInput,
  DisableEndpointInput,
  EndpointIdInput,
  ListDeliveriesInput,
  ReplayInput,
  UpdateEndpointInput,
} from "./webhooks.types.ts";

const admins = roleProcedure("admin");
const urlPolicy = (ctx: TenantContext) => ctx.webhookUrls ?? strictUrlPolicy;

const endpointsRouter = router({
  /** What an endpoint may subscribe to, as the admin app offers it: each type, and open groups as wildcards. */
  eventTypes: admins.query(() => [...webhookEventTypes, ...openEventGroups.map((group) => `${group}.*`)]),
  /** A new endpoint; its signing secret (`whsec_…`) is in this answer and never again. */
  create: admins
    .input(CreateEndpointInput)
    .mutation(({ ctx, input }) => createEndpoint(ctx.db, ctx.tenantId, input, ctx.credential.keyId, urlPolicy(ctx))),
  /** Every endpoint with its status, and why it was disabled when it was. */
  list: admins.query(({ ctx }) => listEndpoints(ctx.db, ctx.tenantId)),
  get: admins.input(EndpointIdInput).query(({ ctx, input }) => getEndpoint(ctx.db, ctx.tenantId, input.id)),
  update: admins
    .input(UpdateEndpointInput)
    .mutation(({ ctx, input: { id, ...change } }) =>
      updateEndpoint(ctx.db, ctx.tenantId, id, change, ctx.credential.keyId, urlPolicy(ctx)),
    ),
  /** Stops sending to it; what was waiting fails with the reason and can be replayed after `enable`. */
  disable: admins
    .input(DisableEndpointInput)
    .mutation(({ ctx, input }) =>
      setEndpointStatus(
        ctx.db,
        ctx.tenantId,
        input.id,
        { status: "disabled", reason: input.reason },
        ctx.credential.keyId,
      ),
    ),
  enable: admins
    .input(EndpointIdInput)
    .mutation(({ ctx, input }) =>
      setEndpointStatus(ctx.db, ctx.tenantId, input.id, { status: "enabled" }, ctx.credential.keyId),
    ),
  delete: admins.input(EndpointIdInput).mutation(async ({ ctx, input }) => {
    await deleteEndpoint(ctx.db, ctx.tenantId, input.id, ctx.credential.keyId);
    return { deleted: input.id };
  }),
  /** A new secret, in this answer only; the old one keeps signing beside it for 24 h. */
  rotateSecret: admins
    .input(EndpointIdInput)
    .mutation(({ ctx, input }) => rotateSecret(ctx.db, ctx.tenantId, input.id, ctx.credential.keyId)),
  /** Queues a `webhook.ping` delivery (audited); how it went shows in `deliveries.list` within seconds. */
  test: admins
    .input(EndpointIdInput)
    .mutation(({ ctx, input }) => enqueuePing(ctx.db, ctx.tenantId, input.id, ctx.credential.keyId)),
});

const deliveriesRouter = router({
  /** Newest first; `status: "failed"` is the list of deliveries that gave up. */
  list: admins.input(ListDeliveriesInput).query(({ ctx, input }) => listDeliveries(ctx.db, ctx.tenantId, input)),
  /**
   * One delivery, or every failed one of an endpoint, sent again under the same `webhook-id`; how many were. A
   * pending delivery is not (it goes at its next attempt, or is going now): `replayed: 0`.
   */
  replay: admins.input(ReplayInput).mutation(async ({ ctx, input }) => {
    if (input.id) {
      const { replayed } = await replayDelivery(ctx.db, ctx.tenantId, input.id, ctx.credential.keyId);
      return { replayed: replayed ? 1 : 0 };
    }
    return { replayed: await replayFailedDeliveries(ctx.db, ctx.tenantId, input.endpointId!, ctx.credential.keyId) };
  }),
});

export const webhooksRouter = router({ endpoints: endpointsRouter, deliveries: deliveriesRouter });
