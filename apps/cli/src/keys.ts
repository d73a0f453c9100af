import {
  CreateKeyInput,
  createKey,
  type KeyView,
  listKeys,
  RotateKeyInput,
  revokeKey,
  rotateKey,
} from "@regulars/tenancy";
import type { Command } from "commander";
import { action, print, requireTenant, UsageError, type WithDatabase } from "./command-kit.ts";

const ACTOR = "cli";

function parsed<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
  flags: Record<string, string>,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageError(
    result.error.issues.map((i) => `--${flags[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join("\n"),
  );
}

const line = (k: KeyView) =>
  `${k.id}  ${k.prefix.padEnd(16)} ${k.role.padEnd(8)} ${k.label.padEnd(20)} created ${k.createdAt}  last used ${k.lastUsedAt ?? "never"}` +
  (k.revokedAt ? `  ${k.revoked ? "revoked" : "stops"} ${k.revokedAt}` : "");

/** `regulars keys list|create|revoke|rotate`: a tenant's API keys. Plain keys are printed once, at creation. */
export function registerKeyCommands(program: Command, withDatabase: WithDatabase): void {
  const keys = program.command("keys").description("a tenant's API keys: list, create, revoke, rotate");

  keys
    .command("list")
    .description("list keys: prefix, role, label, created, last used, revoked (never the keys themselves)")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--active", "only keys that still work")
    .option("--json", "print machine-readable JSON")
    .action(
      action(async (opts: { tenant: string; active?: boolean; json?: boolean }) => {
        const rows = await withDatabase(async ({ db }) => {
          await requireTenant(db, opts.tenant);
          return listKeys(db, opts.tenant, { includeRevoked: !opts.active });
        });
        print(opts.json, rows, rows.map((k) => `${line(k)}\n`).join(""));
      }),
    );

  keys
    .command("create")
    .description("create a key; it is printed once, only its hash is stored")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--role <role>", "admin, pos, kiosk, analyst or app")
    .option("--label <text>", "what the key is for, e.g. 'kiosk store 17'")
    .option("--json", "print machine-readable JSON")
    .action(
      action(async (opts: { tenant: string; role: string; label?: string; json?: boolean }) => {
        const input = parsed(CreateKeyInput, { role: opts.role, label: opts.label }, {});
        const issued = await withDatabase(async ({ db }) => {
          await requireTenant(db, opts.tenant);
          return createKey(db, opts.tenant, ACTOR, input);
        });
        print(
          opts.json,
          issued,
          `Key ${issued.id} (${issued.role}, "${issued.label}") created. Keep it now: only its hash is stored.\n  ${issued.key}\n`,
        );
      }),
    );

  keys
    .command("revoke")
    .description("stop a key (running servers notice within CREDENTIAL_CACHE_TTL_MS)")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--key <keyId>", "key id, e.g. key_01h... (see keys list)")
    .option("--json", "print machine-readable JSON")
    .action(
      action(async (opts: { tenant: string; key: string; json?: boolean }) => {
        const { keyId } = parsed(RotateKeyInput.pick({ keyId: true }), { keyId: opts.key }, { keyId: "key" });
        const revoked = await withDatabase(async ({ db }) => {
          await requireTenant(db, opts.tenant);
          return revokeKey(db, opts.tenant, ACTOR, { keyId });
        });
        print(opts.json, revoked, `${line(revoked)}\n`);
      }),
    );

  keys
    .command("rotate")
    .description("issue a new key with the same role and label, and revoke the old one (now, or after --grace)")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--key <keyId>", "key id of the key to replace")
    .option("--grace <seconds>", "how long the old key keeps working (default 0, at most 7 days)")
    .option("--json", "print machine-readable JSON")
    .action(
      action(async (opts: { tenant: string; key: string; grace?: string; json?: boolean }) => {
        const input = parsed(
          RotateKeyInput,
          { keyId: opts.key, graceSeconds: opts.grace === undefined ? undefined : Number(opts.grace) },
          { keyId: "key", graceSeconds: "grace" },
        );
        const issued = await withDatabase(async ({ db }) => {
          await requireTenant(db, opts.tenant);
          return rotateKey(db, opts.tenant, ACTOR, input);
        });
        print(
          opts.json,
          issued,
          `Key ${issued.id} replaces ${issued.replaced.id}, which stops at ${issued.replaced.revokedAt}. Keep it now: only its hash is stored.\n  ${issued.key}\n`,
        );
      }),
    );
}
