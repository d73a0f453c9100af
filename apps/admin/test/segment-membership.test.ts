import i18next from "i18next";
import { describe, expect, it } from "vitest";
import {
  membershipOf,
  type SegmentMembershipFields,
  staleNoteOf,
  worthRefreshing,
} from "../src/pages/segments/membership.ts";
import { messages } from "../src/pages/segments/messages.ts";

const segment = (fields: Partial<SegmentMembershipFields> = {}): SegmentMembershipFields => ({
  status: "active",
  version: 3,
  refreshedVersion: 3,
  ...fields,
});

describe("how current a segment's members are", () => {
  it("calls members of the definition it has now current, and an active one's needs no note nor refresh", () => {
    const state = membershipOf(segment());
    expect(state).toEqual({ paused: false, members: "current" });
    expect(staleNoteOf(state)).toBeNull();
    expect(worthRefreshing(state)).toBe(false);
  });

  it("says members of an earlier version await a refresh while active, and are kept while paused", () => {
    const pending = membershipOf(segment({ refreshedVersion: 2 }));
    expect(pending).toEqual({ paused: false, members: "earlier" });
    expect(staleNoteOf(pending)).toBe("earlier");
    expect(worthRefreshing(pending)).toBe(true);

    const paused = membershipOf(segment({ refreshedVersion: 2, status: "paused" }));
    expect(staleNoteOf(paused)).toBe("earlierPaused");
    expect(worthRefreshing(paused)).toBe(true);
  });

  it("tells a segment never refreshed from one with members, paused or not", () => {
    expect(staleNoteOf(membershipOf(segment({ refreshedVersion: null })))).toBe("none");
    expect(staleNoteOf(membershipOf(segment({ refreshedVersion: null, status: "paused" })))).toBe("nonePaused");
  });

  it("offers a paused segment with current members a refresh, with no note on its count", () => {
    const state = membershipOf(segment({ status: "paused" }));
    expect(staleNoteOf(state)).toBeNull();
    expect(worthRefreshing(state)).toBe(true);
  });
});

describe("the notes' texts", () => {
  async function translator(lng: "en" | "pl") {
    const i18n = i18next.createInstance();
    await i18n.init({
      lng,
      resources: { en: { segments: messages.en }, pl: { segments: messages.pl } },
      interpolation: { escapeValue: false },
    });
    return i18n.getFixedT(lng, "segments");
  }

  it("names the versions in full and counts a list refresh's members in each language's forms", async () => {
    const en = await translator("en");
    expect(en("staleDetail.earlier", { refreshed: 2, version: 3 })).toMatch(
      /^Members from an earlier definition \(version 2; the segment is now at version 3\) — refresh pending\./,
    );
    expect(en("refreshedNamed", { name: "Lapsed", count: 1, members: "1", entered: "1", left: "0" })).toBe(
      "Refreshed Lapsed: 1 member, 1 entered, 0 left.",
    );
    const pl = await translator("pl");
    expect(pl("refreshedNamed", { name: "Lapsed", count: 3, members: "3", entered: "3", left: "0" })).toBe(
      "Odświeżono Lapsed: 3 członków, weszło 3, wyszło 0.",
    );
    expect(pl("pausedDetail")).toMatch(/^Wstrzymany: członkowie zachowani/);
  });
});
