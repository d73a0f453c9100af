import { eventually } from "@regulars/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brandApp } from "../campaign-fixture.ts";
import { type BrowserSystem, expectAccessible, screenshot, signIn, startBrowserSystem } from "./browser-fixture.ts";

// A segment's count is what its last refresh stored. When that was of an earlier definition (edited while paused, or
// a refresh after an edit that has not run), or the segment is paused, the list and the segment's page must say so,
// and let a marketer (not an analyst) refresh it there.

let b: BrowserSystem;
let page: Page;
const ids = { current: "", pending: "", paused: "" };
const names = { current: "Signed up lately", pending: "Birthday known, resumed", paused: "Birthday known, paused" };

/** Two app sign-ups, neither with a date of birth: the earlier definition's members; the current one has none. */
const signedUpLately = { all: [{ type: "registered_within" as const, days: 30 }] };
const birthdayKnown = { all: [{ type: "has_field" as const, field: "date_of_birth" as const, present: true }] };
const signUps = 2;

const versionsOf = async (id: string) => {
  const row = await b.system.db.segment.findUniqueOrThrow({ where: { id } });
  return { version: row.version, refreshedVersion: row.refreshedVersion, status: row.status };
};

beforeAll(async () => {
  b = await startBrowserSystem();
  const { system, tenant } = b;
  const app = brandApp(system, tenant);
  const run = Date.now();
  for (let i = 0; i < signUps; i++) await app.member(`apple-member-${i}-${run}`, { name: `Member ${i}` });
  const admin = system.client(tenant.apiKeys.admin);
  // The snapshot writer puts sign-ups in ClickHouse a little after the API answered them.
  await eventually(
    "the sign-ups in ClickHouse",
    async () => {
      const preview = await admin.segments.preview.mutate({ definition: signedUpLately, sampleSize: 0 });
      return preview.members === signUps ? preview : undefined;
    },
    90_000,
    1_000,
  );
  for (const key of ["current", "pending", "paused"] as const) {
    const created = await admin.segments.create.mutate({ name: names[key], definition: signedUpLately });
    expect(created.segment.memberCount).toBe(signUps);
    ids[key] = created.segment.id;
  }
  // Edited while paused: the new definition is saved and the members stay the earlier one's.
  for (const key of ["pending", "paused"] as const) {
    await admin.segments.update.mutate({ id: ids[key], status: "paused" });
    await admin.segments.update.mutate({ id: ids[key], definition: birthdayKnown });
  }
  // Resumed, and the refresh on resuming failed: what the store records then, its retry a day away.
  await system.db.$executeRaw`
    UPDATE segments SET status = 'active', last_error = 'ClickHouse did not answer', failed_refreshes = 1,
      retry_at = now() + interval '1 day'
    WHERE id = ${ids.pending}`;
  expect(await versionsOf(ids.pending)).toEqual({ version: 2, refreshedVersion: 1, status: "active" });
  expect(await versionsOf(ids.paused)).toEqual({ version: 2, refreshedVersion: 1, status: "paused" });
  page = await b.newPage();
  await signIn(page, b.staff.marketer);
}, 240_000);

afterAll(async () => {
  await b?.dispose();
});

const rowOf = (p: Page, name: string) =>
  p
    .getByRole("table", { name: "Saved segments with their member counts" })
    .locator("tbody tr", { has: p.getByRole("link", { name, exact: true }) });
const refreshButtons = (p: Page) => p.getByRole("button", { name: /^Refresh now/ });

const pendingNote = "Members from an earlier definition — refresh pending";
const pausedNote = "Members from an earlier definition — not refreshed while paused";
const pausedHint = "Members kept, not refreshed; earning rules pay no member of a paused segment";

describe("segments whose members are not of their current definition", () => {
  it("says so on the list, and a marketer refreshes one from there", { timeout: 120_000 }, async () => {
    await page.goto("/app/segments");
    const current = rowOf(page, names.current);
    const pending = rowOf(page, names.pending);
    const paused = rowOf(page, names.paused);
    await expect.poll(() => pending.textContent()).toContain(pendingNote);
    expect(await pending.locator("td").nth(2).textContent()).toBe(`${signUps}${pendingNote}`);
    const pausedText = await paused.textContent();
    expect(pausedText).toContain(pausedNote);
    expect(pausedText).toContain(pausedHint);
    const currentText = await current.textContent();
    expect(currentText).not.toContain("earlier definition");
    expect(currentText).not.toContain("Members kept");
    // A refresh is offered where it brings something up to date.
    expect(await current.getByRole("button").count()).toBe(0);
    expect(await paused.getByRole("button", { name: `Refresh now: ${names.paused}` }).count()).toBe(1);
    await screenshot(page, "admin", "segments-stale");
    await expectAccessible(page);

    await pending.getByRole("button", { name: `Refresh now: ${names.pending}` }).click();
    await page.getByText(`Refreshed ${names.pending}: 0 members, 0 entered, ${signUps} left.`).waitFor();
    await expect.poll(() => pending.locator("td").nth(2).textContent()).toBe("0");
    expect(await pending.getByRole("button").count()).toBe(0);
    expect(await versionsOf(ids.pending)).toEqual({ version: 2, refreshedVersion: 2, status: "active" });
    // The paused one was left as it was.
    expect(await paused.textContent()).toContain(pausedNote);
  });

  it("says so in full on a paused segment's page, until a refresh there", { timeout: 120_000 }, async () => {
    await page.goto(`/app/segments/${ids.paused}`);
    await page.getByRole("heading", { level: 1, name: names.paused }).waitFor();
    const notice = page.getByTestId("membership-notice");
    await expect
      .poll(() => notice.textContent())
      .toContain(
        "Members from an earlier definition (version 1; the segment is now at version 2), kept while paused: " +
          "nothing refreshes them until the segment is resumed or refreshed by hand.",
      );
    expect(await notice.textContent()).toContain(
      "Paused: members kept, not refreshed; earning rules pay no member of a paused segment.",
    );
    expect(await page.getByTestId("member-count").textContent()).toBe(String(signUps));
    await screenshot(page, "admin", "segment-stale-paused");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Refresh now" }).click();
    await page.getByText(`Refreshed: 0 members, 0 entered, ${signUps} left.`).waitFor();
    await expect.poll(() => notice.textContent()).not.toContain("earlier definition");
    expect(await notice.textContent()).toContain("Paused: members kept");
    expect(await page.getByTestId("member-count").textContent()).toBe("0");
    expect(await versionsOf(ids.paused)).toEqual({ version: 2, refreshedVersion: 2, status: "paused" });

    await page.goto(`/app/segments/${ids.current}`);
    await page.getByRole("heading", { level: 1, name: names.current }).waitFor();
    await page.getByTestId("member-count").waitFor();
    expect(await page.getByTestId("membership-notice").count()).toBe(0);
  });

  it("shows an analyst the same, with no refresh to press", { timeout: 90_000 }, async () => {
    // Edited again while paused: its members (of version 2) are again an earlier definition's.
    const admin = b.system.client(b.tenant.apiKeys.admin);
    await admin.segments.update.mutate({ id: ids.paused, definition: signedUpLately });
    expect(await versionsOf(ids.paused)).toEqual({ version: 3, refreshedVersion: 2, status: "paused" });
    const analyst = await b.newPage();
    await signIn(analyst, b.staff.analyst);
    await analyst.goto("/app/segments");
    const paused = rowOf(analyst, names.paused);
    await expect.poll(() => paused.textContent()).toContain(pausedNote);
    expect(await paused.textContent()).toContain(pausedHint);
    expect(await rowOf(analyst, names.pending).textContent()).not.toContain("earlier definition");
    expect(await refreshButtons(analyst).count()).toBe(0);

    await analyst.goto(`/app/segments/${ids.paused}`);
    await analyst.getByRole("heading", { level: 1, name: names.paused }).waitFor();
    await expect
      .poll(() => analyst.getByTestId("membership-notice").textContent())
      .toContain("Members from an earlier definition (version 2; the segment is now at version 3), kept while paused");
    expect(await refreshButtons(analyst).count()).toBe(0);
    await expectAccessible(analyst);
    await analyst.context().close();
  });
});
