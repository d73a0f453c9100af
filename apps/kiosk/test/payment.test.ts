import { describe, expect, it } from "vitest";
import { confirmsDeviceReset, keyPrefixOf } from "../src/device.ts";
import { meaningOf, nextSendStep, pollDelayMs, SEND_ATTEMPTS, sendRetryDelayMs } from "../src/order/sending.ts";
import { blocksLeaving, createVisits, mayChoose, type PayStage } from "../src/order/visit.ts";

describe("sending a sale to the gateway", () => {
  it("reads each answer as stored, not stored, or unknown", () => {
    expect([202, 409].map(meaningOf)).toEqual(["stored", "stored"]);
    expect(meaningOf(429)).toBe("busy");
    expect([400, 401, 403, 422].map(meaningOf)).toEqual(["refused", "refused", "refused", "refused"]);
    expect(["unreachable" as const, 408, 500, 502, 503].map(meaningOf)).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
  });

  it("posts the same sale again while the answer leaves open whether it was stored", () => {
    expect(nextSendStep(["unknown"])).toBe("retry");
    expect(nextSendStep(["unknown", "busy"])).toBe("retry");
    // A repeat that finds it stored ("duplicate") ends the doubt.
    expect(nextSendStep(["unknown", "unknown", "stored"])).toBe("accepted");
  });

  it("calls it refused (and the hold free to void) only when no answer said it may be stored", () => {
    expect(nextSendStep(["refused"])).toBe("refused");
    expect(nextSendStep(Array(SEND_ATTEMPTS).fill("busy"))).toBe("refused");
    expect(nextSendStep(["unknown", "refused"])).toBe("unconfirmed");
    expect(nextSendStep(["busy", "unknown", "busy", "busy"])).toBe("unconfirmed");
    expect(nextSendStep(Array(SEND_ATTEMPTS).fill("unknown"))).toBe("unconfirmed");
  });

  it("waits longer between tries, up to a ceiling", () => {
    const sends = [0, 1, 2, 3, 4, 10].map(sendRetryDelayMs);
    const polls = [0, 1, 2, 5, 10, 50].map(pollDelayMs);
    for (const waits of [sends, polls]) {
      expect(waits).toEqual([...waits].sort((a, b) => a - b));
      expect(waits[0]).toBeGreaterThan(0);
    }
    expect(sendRetryDelayMs(10)).toBe(4000);
    expect(pollDelayMs(50)).toBe(5000);
  });
});

describe("the stages of paying", () => {
  const stages: PayStage[] = ["choosing", "holding", "posting", "received", "receivedSlowly", "unconfirmed"];

  it("keeps the order on screen from the hold until an outcome is shown", () => {
    expect(stages.filter(blocksLeaving)).toEqual(["holding", "posting", "received"]);
  });

  it("offers Pay only before anything was sent", () => {
    expect(stages.filter(mayChoose)).toEqual(["choosing"]);
  });

  it("tells work of a visit that was cleared from work of the visit in progress", () => {
    const visits = createVisits();
    const paying = visits.current();
    expect(visits.isCurrent(paying)).toBe(true);
    const next = visits.next();
    expect(visits.isCurrent(paying)).toBe(false);
    expect(visits.isCurrent(next)).toBe(true);
    expect(visits.current()).toBe(next);
  });
});

describe("resetting the device", () => {
  const key = "rk_kiosk_7Hq2Zx9LmP3sT8vK1wR4yB6nC0dF5gJ";

  it("asks for the key's prefix as the admin app lists it", () => {
    expect(keyPrefixOf(key)).toBe("rk_kiosk_7Hq2");
    expect(confirmsDeviceReset("rk_kiosk_7Hq2", key)).toBe(true);
    expect(confirmsDeviceReset(" rk_kiosk_7Hq2… ", key)).toBe(true);
    expect(confirmsDeviceReset(key, key)).toBe(true);
  });

  it("refuses what any passer-by could type", () => {
    for (const typed of ["", "rk_kiosk", "rk_kiosk_", "rk_kiosk_7Hq", "rk_kiosk_7hq2", "rk_kiosk_AAAA", "1234"])
      expect(confirmsDeviceReset(typed, key), typed).toBe(false);
  });
});
