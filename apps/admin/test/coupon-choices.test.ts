import { describe, expect, it } from "vitest";
import { allPages, couponChoices } from "../src/pages/campaigns/coupon-choices.ts";

const coupon = (n: number) => ({ id: `cpn_${String(n).padStart(12, "0")}`, name: `Coupon ${n}` });

/** A list paged as `coupons.list` pages it: newest first, at most 100 a page, `nextCursor` the page's last id. */
function couponsList(count: number) {
  const all = Array.from({ length: count }, (_, i) => coupon(count - i));
  const asked: (string | null)[] = [];
  const page = async (cursor: string | null) => {
    asked.push(cursor);
    const from = cursor ? all.findIndex((c) => c.id === cursor) + 1 : 0;
    const items = all.slice(from, from + 100);
    return { items, nextCursor: from + 100 < all.length ? items[items.length - 1]!.id : null };
  };
  return { all, asked, page };
}

describe("the coupons a campaign step can give", () => {
  it("are every coupon of the tenant, not the newest 100: the pages are followed to the last", async () => {
    const list = couponsList(250);
    expect(await allPages(list.page)).toEqual(list.all);
    expect(list.asked).toEqual([null, list.all[99]!.id, list.all[199]!.id]);
  });

  it("ask once when one page holds them all, and answer none for a tenant without coupons", async () => {
    const list = couponsList(3);
    expect(await allPages(list.page)).toEqual(list.all);
    expect(list.asked).toEqual([null]);
    expect(await allPages(couponsList(0).page)).toEqual([]);
  });

  it("stop at a page that names its own cursor again rather than asking forever", async () => {
    const same = { items: [coupon(1)], nextCursor: coupon(1).id };
    expect(await allPages(async () => same)).toEqual([coupon(1), coupon(1)]);
  });

  it("offer the step's own coupon under its name even when the list lacks it, once, and nothing extra otherwise", () => {
    const listed = [coupon(3), coupon(2)];
    const options = (chosenId: string, chosen: { id: string; name: string } | null) =>
      couponChoices(listed, chosenId, chosen).map((o) => o.label);
    expect(options("", null)).toEqual(["Coupon 3", "Coupon 2"]);
    expect(options(coupon(2).id, coupon(2))).toEqual(["Coupon 3", "Coupon 2"]);
    expect(options(coupon(1).id, coupon(1))).toEqual(["Coupon 1", "Coupon 3", "Coupon 2"]);
    // Not found (or not fetched yet): its id, so the step never reads as "Choose a coupon…".
    expect(options(coupon(1).id, null)).toEqual([coupon(1).id, "Coupon 3", "Coupon 2"]);
    expect(couponChoices(listed, coupon(1).id, null)[0]!.value).toBe(coupon(1).id);
  });
});
