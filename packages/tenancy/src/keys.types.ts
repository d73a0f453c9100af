import { ApiKeyRole } from "@regulars/contracts";
import { z } from "zod";

const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export const ListKeysInput = z.object({ includeRevoked: z.boolean().default(true) }).prefault({});

export const CreateKeyInput = z.object({
  role: ApiKeyRole,
  label: z.string().trim().min(1, "must not be empty").max(100).optional(),
});

export const KeyIdInput = z.object({
  keyId: z.string().regex(/^key_[A-Za-z0-9]+$/, "must be a key id such as key_01h..."),
});

export const RotateKeyInput = KeyIdInput.extend({
  /** How long the old key keeps working, so terminals can be switched over without an outage. */
  graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS, "at most 7 days").default(0),
});

/** A key as an operator may see it: enough to recognise it, never enough to use it. */
export interface KeyView {
  id: string;
  prefix: string;
  role: ApiKeyRole;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** When it stopped (or, after a rotation with grace, will stop) working. */
  revokedAt: string | null;
  revoked: boolean;
}

/** A new key: the plain `key` is shown this once; only its hash is stored. */
export interface IssuedKey extends KeyView {
  key: string;
}
