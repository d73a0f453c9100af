import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { demoCustomerPhone, startBanner, tryItCommands } from "../src/banner.ts";

// The quick start is the first thing a newcomer pastes: the banner and the README must say the same.

const demo = {
  tenantId: "tenant_demo",
  apiKeys: { admin: "rk_admin", pos: "rk_pos", kiosk: "rk_kiosk", analyst: "rk_analyst", app: "rk_app" },
  staff: { email: "owner@demo.regulars.test", password: "printed-once-password" },
};
const running = {
  gatewayUrl: "http://127.0.0.1:4000",
  apiUrl: "http://127.0.0.1:4001",
  workersUrl: null,
  databaseUrl: "postgresql://127.0.0.1:5432/regulars",
  natsUrl: "nats://127.0.0.1:4222",
  demo,
  demoKeysFile: null,
};

/** The shell block that follows the quick start's "Try it" paragraph. */
function readmeTryItBlock(): string[] {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const after = readme.slice(readme.indexOf("Try it once it runs"));
  const block = /```sh\n([\s\S]*?)```/.exec(after);
  if (!block) throw new Error("README.md has no shell block after 'Try it once it runs'");
  return block[1]!.trimEnd().split("\n");
}

describe("trying the running system", () => {
  it("the banner names the keys file where the data folder put it", () => {
    const inCwd = startBanner({ ...running, demoKeysFile: join(process.cwd(), ".data", "demo-tenant.json") });
    expect(inCwd).toContain("(the keys are also in .data/demo-tenant.json)");
    const moved = join(tmpdir(), "regulars-data", "demo-tenant.json");
    expect(startBanner({ ...running, demoKeysFile: moved })).toContain(`(the keys are also in ${moved})`);
  });

  it("the banner prints an export line with the demo keys, then the commands that use them", () => {
    const lines = startBanner(running).split("\n");
    const exportAt = lines.indexOf("  export POS_KEY=rk_pos ADMIN_KEY=rk_admin");
    expect(exportAt).toBeGreaterThan(0);
    expect(lines.slice(exportAt + 1, exportAt + 1 + 5)).toEqual(tryItCommands(running).map((line) => `  ${line}`));
  });

  it("the commands post a sale for the demo customer, read its status and read the customer with the admin key", () => {
    const [, post, body, status, customer] = tryItCommands(running);
    expect(post).toContain('http://127.0.0.1:4000/v1/transactions -H "authorization: Bearer $POS_KEY"');
    expect(body).toContain(`"customer":{"phone":"${demoCustomerPhone}"}`);
    expect(status).toContain('http://127.0.0.1:4000/v1/transactions/$id -H "authorization: Bearer $POS_KEY"');
    expect(customer).toContain("http://127.0.0.1:4001/trpc/customers.get?input=");
    expect(decodeURIComponent(customer!)).toContain(`{"phone":"${demoCustomerPhone}"}`);
    expect(customer).toContain('-H "authorization: Bearer $ADMIN_KEY"');
  });

  it("the README shows the banner's commands, after a line that sets the keys they use", () => {
    const [setKeys, ...commands] = readmeTryItBlock();
    expect(setKeys).toMatch(/^export POS_KEY=.*\.data\/demo-tenant\.json.*\.pos.* ADMIN_KEY=.*\.admin/);
    expect(commands).toEqual(tryItCommands({ gatewayUrl: "http://localhost:4000", apiUrl: "http://localhost:4001" }));
  });
});
