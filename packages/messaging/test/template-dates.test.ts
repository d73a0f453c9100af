import { describe, expect, it } from "vitest";
import { composeMessage, MessageTemplate, type MessageVariables, renderTemplate } from "../src/index.ts";

// Calendar logic runs in the tenant's zone, never the server's: a template's dates too.

const ola: MessageVariables = { customer: { first_name: "Ola" } };
const sms = (body: string, language = "en") => MessageTemplate.parse({ channel: "sms", language, body });
const bodyOf = (template: MessageTemplate, timeZone?: string) => {
  const content = renderTemplate(template, ola, { timeZone });
  if (content.channel !== "sms") throw new Error("an SMS was rendered");
  return content.body;
};

/** The instant as a reader in `timeZone` sees it, by Intl: `2026-06-30 23`, with the offset as `+0200`. */
function wallClock(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset",
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  const offset = part("timeZoneName").replace("GMT", "").replace(":", "") || "+0000";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")} ${offset}`;
}

// Monday 30 June, 21:30 UTC: 23:30 in Warsaw, already Tuesday in Kiritimati, still the afternoon in Pago Pago.
const instant = new Date(Date.UTC(2031, 5, 30, 21, 30));
const fixed = sms(`{{ ${instant.getTime() / 1000} | date: '%Y-%m-%d %H %z' }}`);

describe("dates in a template", () => {
  it.each(["Europe/Warsaw", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "UTC"])(
    "are written in the zone the message is rendered for: %s",
    (timeZone) => {
      expect(bodyOf(fixed, timeZone)).toBe(wallClock(instant, timeZone));
    },
  );

  it("follow the zone's summer and winter time", () => {
    const winter = new Date(Date.UTC(2031, 0, 15, 12));
    const template = sms(`{{ ${winter.getTime() / 1000} | date: '%H %z' }}`);
    expect(bodyOf(template, "Europe/Warsaw")).toBe("13 +0100");
    expect(bodyOf(fixed, "Europe/Warsaw")).toBe(wallClock(instant, "Europe/Warsaw"));
  });

  it("write `now` in the zone too, whatever the server's", () => {
    const now = sms("{{ 'now' | date: '%Y-%m-%d %H %z' }}");
    for (const timeZone of ["Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
      const before = wallClock(new Date(), timeZone);
      const rendered = bodyOf(now, timeZone);
      const after = wallClock(new Date(), timeZone);
      expect([before, after]).toContain(rendered);
    }
  });

  it("are in UTC when no zone is given, never the server's", () => {
    expect(bodyOf(fixed)).toBe(wallClock(instant, "UTC"));
  });

  it("name days and months in the template's language", () => {
    const body = `{{ ${instant.getTime() / 1000} | date: '%A %B' }}`;
    expect(bodyOf(sms(body, "pl"), "Europe/Warsaw")).toBe("poniedziałek czerwiec");
    expect(bodyOf(sms(body, "en"), "Europe/Warsaw")).toBe("Monday June");
    expect(bodyOf(sms(body, "en"), "Pacific/Kiritimati")).toBe("Tuesday July");
  });

  it("are written in the zone a composed message is given", () => {
    const { content } = composeMessage(fixed, ola, { messageId: "msg_1", timeZone: "Pacific/Kiritimati" });
    expect(content).toEqual({ channel: "sms", body: wallClock(instant, "Pacific/Kiritimati") });
  });
});
