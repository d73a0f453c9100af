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
import { ownerProcedure, router } from "../trpc.ts";

const admin = ownerProcedure;

/** The tenant's own API keys (admin keys and owners); every change is audited with the acting key or person. */
export const apiKeysRouter = router({
  list: admin.input(ListKeysInput).query(({ ctx, input }) => listKeys(ctx.db, ctx.tenantId, input)),
  create: admin
    .input(CreateKeyInput)
    .mutation(({ ctx, input }) => createKey(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  revoke: admin
    .input(KeyIdInput)
    .mutation(({ ctx, input }) => revokeKey(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
  rotate: admin
    .input(RotateKeyInput)
    .mutation(({ ctx, input }) => rotateKey(ctx.db, ctx.tenantId, ctx.credential.keyId, input)),
});
