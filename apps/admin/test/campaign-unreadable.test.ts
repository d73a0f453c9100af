import { describe, expect, it } from "vitest";
import { isUnreadableCampaign, listCursorAt, unreadableMoves } from "../src/pages/campaigns/unreadable.ts";

// A campaign whose stored definition this release cannot read is refused by campaigns.get with `unprocessable`;
// the detail page must still find its row and offer the moves the API allows without the definition.

/** A campaign id as @regulars/ids makes them: a 26-character lower-case Crockford base32 ULID after `cmp_`. */
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
const campaignId = () =>
  `cmp_${Array.from({ length: 26 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("")}`;

describe("the detail page of a campaign whose definition cannot be read", () => {
  it("recognises the API's unprocessable refusal, and nothing else, as that case", () => {
    const refusal = (code: string) => ({ message: "x", data: { error: { code, message: "x" } } });
    expect(isUnreadableCampaign(refusal("unprocessable"))).toBe(true);
    expect(isUnreadableCampaign(refusal("not_found"))).toBe(false);
    expect(isUnreadableCampaign(new TypeError("Failed to fetch"))).toBe(false);
    expect(isUnreadableCampaign(undefined)).toBe(false);
  });

  it("offers pausing and archiving an active or scheduled one, archiving a paused one or a draft, nothing once archived", () => {
    expect(unreadableMoves("active")).toEqual(["pause", "archive"]);
    expect(unreadableMoves("scheduled")).toEqual(["pause", "archive"]);
    expect(unreadableMoves("paused")).toEqual(["archive"]);
    expect(unreadableMoves("draft")).toEqual(["archive"]);
    expect(unreadableMoves("archived")).toEqual([]);
  });

  it("asks the list for a page that starts at the campaign: its cursor sorts after it and before every later id", () => {
    // Neighbours that differ only in the last character, the lowest and the highest: the edges a cursor could miss.
    const base = campaignId().slice(0, -1);
    const ids = [...Array.from({ length: 200 }, campaignId), `${base}0`, `${base}1`, `${base}z`];
    const sorted = [...ids].sort();
    for (const [i, id] of sorted.entries()) {
      const cursor = listCursorAt(id);
      expect(cursor).toMatch(/^cmp_[a-z0-9]{10,40}$/);
      // campaigns.list answers ids below the cursor, newest (greatest) first.
      const below = sorted.filter((other) => other < cursor);
      expect(below.at(-1)).toBe(id);
      expect(below.length).toBe(i + 1);
    }
  });
});
