import {
  CreateKeyInput,
  createKey,
  KeyIdInput,
  ListKeysInput,
  listKeys,
  RotateKeyInput,
  revokeKey,
  rotateKey,
} from "@regulars/tenancy";
import { type ApiContext, ownerProcedure, router } from "../trpc.ts";

const admin = ownerProcedure;

/**
 * Once a revocation or rotation has committed, the key is forgotten by the cache this API authenticates with: without
 * it the key would keep working here for the cache's TTL. Evicted only after the commit, so no lookup re-reads it as
 * it was before.
 */
async function evictingKey<T>(ctx: ApiContext, keyId: string, change: Promise<T>): Promise<T> {
  const changed = await change;
  ctx.credentials?.evictKey(keyId);
  return changed;
}

/**
 * The tenant's own API keys (admin keys and owners); every change is audited with the acting key or person. Changes
 * refuse unknown keys: a misspelt `graceSeconds`, dropped, would cut the old key off at once.
 */
export const apiKeysRouter = router({
  list: admin.input(ListKeysInput).query(({ ctx, input }) => listKeys(ctx.db, ctx.tenantId, input)),
  create: admin
    .input(CreateKeyInput.strict())
    .mutation(({ ctx, input }) => createKey(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  revoke: admin
    .input(KeyIdInput.strict())
    .mutation(({ ctx, input }) =>
      evictingKey(ctx, input.keyId, revokeKey(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
    ),
  rotate: admin
    .input(RotateKeyInput.strict())
    .mutation(({ ctx, input }) =>
      evictingKey(ctx, input.keyId, rotateKey(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
    ),
});
