import { describe, expect, it } from "vitest";
import { customerOwnEventTypes, eventRefusal, withPostersChannel } from "../src/api-access.ts";
import { ApiKeyRole, Channel } from "../src/index.ts";

/** The channels each key may name on an event it posts (action rules pay by channel), from the one role table. */
const mayName = (role: ApiKeyRole) =>
  Channel.options.filter((channel) => eventRefusal(role, { type: "feedback_submitted", channel }) === null);

describe("the channel of a posted event is the key's", () => {
  it("lets a till, a kiosk and the app's backend name their own channels only, an admin any", () => {
    expect(Object.fromEntries(ApiKeyRole.options.map((role) => [role, mayName(role)]))).toEqual({
      pos: ["pos"],
      kiosk: ["kiosk"],
      app: ["app", "web"],
      admin: ["kiosk", "pos", "app", "web", "delivery"],
      analyst: [],
    });
  });

  it("fills in the key's own channel when the event names none; an admin's stays unnamed", () => {
    const event = { type: "app_open", channel: null };
    expect(withPostersChannel("pos", event).channel).toBe("pos");
    const unnamed: { type: string; channel?: Channel } = { type: "app_open" };
    expect(withPostersChannel("kiosk", unnamed)).toEqual({ type: "app_open", channel: "kiosk" });
    expect(withPostersChannel("app", event).channel).toBe("app");
    expect(withPostersChannel("admin", event).channel).toBeNull();
    expect(withPostersChannel("app", { channel: "web" as const }).channel).toBe("web");
  });
});

describe("the customer's own events come from the app's backend or an admin", () => {
  it.each(customerOwnEventTypes)("refuses %s from pos and kiosk keys, on any channel", (type) => {
    for (const role of ["pos", "kiosk"] as const) {
      for (const channel of [null, role, "app"] as const) {
        expect(eventRefusal(role, { type, channel })?.code).toBe("event_type_not_allowed");
      }
    }
    expect(eventRefusal("app", { type, channel: "app" })).toBeNull();
    expect(eventRefusal("admin", { type, channel: "kiosk" })).toBeNull();
  });

  it("lets tills and kiosks post what happens in front of them", () => {
    for (const type of ["feedback_submitted", "form_submitted", "app_open", "page_view", "custom_thing"]) {
      expect(eventRefusal("kiosk", { type, channel: "kiosk" })).toBeNull();
      expect(eventRefusal("pos", { type })).toBeNull();
    }
  });
});
