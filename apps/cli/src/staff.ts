import {
  AddStaffInput,
  addStaff,
  findStaffByEmail,
  generatePassword,
  listStaff,
  removeStaff,
  type StaffMember,
} from "@regulars/staff";
import type { Command } from "commander";
import { action, print, requireTenant, UsageError, type WithDatabase } from "./command-kit.ts";

const ACTOR = "cli";

const line = (m: StaffMember) => `${m.id}  ${m.email.padEnd(32)} ${m.role.padEnd(9)} ${m.name}  added ${m.createdAt}`;

/** `regulars staff add|list|remove`: the people who sign in to a tenant's admin app. */
export function registerStaffCommands(program: Command, withDatabase: WithDatabase): void {
  const staff = program.command("staff").description("people who sign in to a tenant's admin app: add, list, remove");

  staff
    .command("add")
    .description("add a member; without --password a strong one is generated and printed once")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--email <email>", "the address they sign in with (unique across tenants)")
    .requiredOption("--name <name>", "their name, as the admin app shows it")
    .requiredOption("--role <role>", "owner, marketer, operator or analyst")
    .option("--password <password>", "at least 12 characters (prefer the generated one: flags end up in shell history)")
    .option("--json", "print machine-readable JSON")
    .action(
      action(
        async (opts: {
          tenant: string;
          email: string;
          name: string;
          role: string;
          password?: string;
          json?: boolean;
        }) => {
          const password = opts.password ?? generatePassword();
          const input = AddStaffInput.safeParse({ email: opts.email, name: opts.name, role: opts.role, password });
          if (!input.success)
            throw new UsageError(input.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("\n"));
          const added = await withDatabase(async ({ db }) => {
            await requireTenant(db, opts.tenant);
            return addStaff(db, opts.tenant, input.data, ACTOR);
          });
          const generated = opts.password ? "" : `Password (shown once, only its hash is stored): ${password}\n`;
          print(opts.json, opts.password ? added : { ...added, password }, `${line(added)}\n${generated}`);
        },
      ),
    );

  staff
    .command("list")
    .description("list the tenant's members: e-mail, role, name (never passwords)")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--json", "print machine-readable JSON")
    .action(
      action(async (opts: { tenant: string; json?: boolean }) => {
        const rows = await withDatabase(async ({ db }) => {
          await requireTenant(db, opts.tenant);
          return listStaff(db, opts.tenant);
        });
        print(opts.json, rows, rows.map((m) => `${line(m)}\n`).join(""));
      }),
    );

  staff
    .command("remove")
    .description("remove a member; they are signed out at once (the tenant's last owner stays)")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("--email <email>", "the member's address")
    .option("--json", "print machine-readable JSON")
    .action(
      action(async (opts: { tenant: string; email: string; json?: boolean }) => {
        const removed = await withDatabase(async ({ db }) => {
          await requireTenant(db, opts.tenant);
          const found = await findStaffByEmail(db, opts.tenant, opts.email);
          if (!found) throw new UsageError(`--email: no staff member ${opts.email} in tenant ${opts.tenant}`);
          return removeStaff(db, opts.tenant, found.id, { actor: ACTOR });
        });
        print(opts.json, removed, `removed ${line(removed)}\n`);
      }),
    );
}
