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
import { roleProcedure, router } from "../trpc.ts";

const admin = roleProcedure("admin");

/** The tenant's own API keys; every change is audited with the acting key. */
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
