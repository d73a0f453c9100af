import { z } from "zod";

const Url = z.string().trim().min(1, "must not be empty").max(2_000, "must be at most 2000 characters");
const EventTypes = z
  .array(z.string().trim().min(1).max(100))
  .min(1, "subscribe to at least one event type")
  .max(50, "must be at most 50 types")
  .describe('event types ("points.earned"), group wildcards ("points.*", "message.*") or "*" for all');
const Description = z.string().trim().max(300, "must be at most 300 characters");
const Id = z.string().min(1).max(100);

export const CreateEndpointInput = z.strictObject({
  url: Url,
  eventTypes: EventTypes,
  description: Description.optional(),
});

export const UpdateEndpointInput = z.strictObject({
  id: Id,
  url: Url.optional(),
  eventTypes: EventTypes.optional(),
  description: Description.optional(),
});

export const EndpointIdInput = z.strictObject({ id: Id });

export const DisableEndpointInput = z.strictObject({
  id: Id,
  reason: z.string().trim().min(1).max(300).default("disabled by an admin"),
});

export const ListDeliveriesInput = z
  .strictObject({
    endpointId: Id.optional(),
    status: z.enum(["pending", "delivered", "failed"]).optional().describe("failed: the list of failed deliveries"),
    after: z
      .string()
      .regex(/^whd_[a-z0-9]{10,40}$/, "must be a delivery id (whd_...)")
      .optional()
      .describe("the nextCursor of the previous page"),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .prefault({});

export const ReplayInput = z
  .strictObject({
    id: Id.optional().describe("one delivery"),
    endpointId: Id.optional().describe("every failed delivery of this endpoint"),
  })
  .refine((input) => (input.id === undefined) !== (input.endpointId === undefined), {
    message: "give a delivery id or an endpointId, not both",
    path: ["id"],
  });
