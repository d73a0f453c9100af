import { z } from "zod";

/** Offsets are required: `Date` and ClickHouse would read a time without one in a zone of their choosing. */
const isoWithOffset = z.iso.datetime({ offset: true });

/**
 * A domain stream message as a writer that handles some of its types reads it: one of those, parsed strictly
 * by `schema` (a bad one is dead-lettered with the fields at fault, its `occurredAt` must carry an offset), or
 * null for any other type, which is not this writer's and is acknowledged without work. Writers read the whole
 * domain stream because their types share no subject prefix and NATS 2.9 takes one filter per consumer.
 */
export function domainMessageOf<T extends { occurredAt: string }>(
  handles: (type: string) => boolean,
  schema: z.ZodType<T>,
) {
  return z.looseObject({ type: z.string() }).transform((message, ctx): T | null => {
    if (!handles(message.type)) return null;
    const parsed = schema.safeParse(message);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    if (!isoWithOffset.safeParse(parsed.data.occurredAt).success) {
      ctx.addIssue({ code: "custom", path: ["occurredAt"], message: "must be ISO 8601 with an offset" });
      return z.NEVER;
    }
    return parsed.data;
  });
}
