import { CampaignAction, Channel, ConsentChannel, ConsentPurpose } from "@regulars/contracts";
import i18next from "i18next";
import { describe, expect, it } from "vitest";
// Type only, by path: the admin app does not depend on the ledger, but its labels must follow the ledger's kinds.
import type { MovementKind as LedgerMovementKind } from "../../../packages/ledger/src/postings.ts";
import type { DeliveryStatus } from "../../../packages/messaging/src/status.ts";
import {
  consentSourceLabel,
  identityLabel,
  labelOf,
  ledgerReason,
  type MessageStatus,
  type MovementKind,
  type WalletCouponState,
} from "../src/pages/customers/codes.ts";
import { messages } from "../src/pages/customers/messages.ts";

/** Fails to typecheck when the ledger gains (or drops) a movement kind the admin's labels do not know. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kindsInStep: Same<MovementKind, LedgerMovementKind> = true;
/** The messages table stores the delivery statuses and `cancelled` (a queued message whose campaign stopped). */
const statusesInStep: Same<MessageStatus, DeliveryStatus | "cancelled"> = true;
const movementKinds = Object.keys(messages.en.ledger.kinds) as MovementKind[];

async function translator(lng: "en" | "pl") {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng,
    resources: { en: { customers: messages.en }, pl: { customers: messages.pl } },
    interpolation: { escapeValue: false },
  });
  return i18n.getFixedT(lng, "customers");
}

describe("the codes a customer's page shows, in the staff's language", () => {
  it("names every movement kind, channel and coupon status the contracts allow, in English and Polish", async () => {
    expect(kindsInStep).toBe(true);
    expect(statusesInStep).toBe(true);
    for (const lng of ["en", "pl"] as const) {
      const t = await translator(lng);
      const shown = [
        ...movementKinds.map((k) => [k, labelOf(t, "ledger.kinds", k)]),
        ...Channel.options.map((c) => [c, labelOf(t, "channels", c)]),
        ...(Object.keys(messages.en.wallet.states) as WalletCouponState[]).map((s) => [s, t(`wallet.states.${s}`)]),
        ...ConsentChannel.options.map((c) => [c, labelOf(t, "messageChannels", c)]),
        ...ConsentPurpose.options.map((p) => [p, labelOf(t, "consentPurposes", p)]),
        ...(Object.keys(messages.en.messageStatuses) as MessageStatus[]).map((s) => [
          s,
          labelOf(t, "messageStatuses", s),
        ]),
      ];
      for (const [code, label] of shown) expect(label, `${lng}: ${code}`).not.toMatch(/^[a-z_]+$|\./);
    }
  });

  it("reads a movement, a channel and identities as words", async () => {
    const en = await translator("en");
    const pl = await translator("pl");
    expect(labelOf(en, "ledger.kinds", "earn")).toBe("Earned");
    expect(labelOf(pl, "ledger.kinds", "earn")).toBe("Naliczenie");
    expect(labelOf(en, "channels", "pos")).toBe("Till (POS)");
    expect(labelOf(pl, "channels", "kiosk")).toBe("Kiosk");
    expect(en("wallet.status")).toBe("Status");
    expect(pl("wallet.states.active")).toBe("Aktywny");
    expect(en("wallet.states.used")).toBe("Used");
    expect(pl("wallet.states.used")).toBe("Wykorzystany");
    expect(identityLabel(en, { kind: "phone", value: "+48600100200" })).toBe("Phone: +48600100200");
    expect(identityLabel(pl, { kind: "card", value: "CARD-1" })).toBe("Numer karty: CARD-1");
    expect(identityLabel(en, { kind: "ext:google", value: "1087" })).toBe("App sign-in (google): 1087");
  });

  it("reads where a consent was recorded: the app and its screen, staff, a till and its location", async () => {
    const en = await translator("en");
    const pl = await translator("pl");
    expect(consentSourceLabel(en, "app")).toBe("App");
    expect(consentSourceLabel(en, "app:settings")).toBe("App (settings)");
    expect(consentSourceLabel(pl, "admin")).toBe("Administrator (personel)");
    expect(consentSourceLabel(en, "till:store-001")).toBe("Till at store-001");
    expect(consentSourceLabel(pl, "till:store:7")).toBe("Kasa w lokalizacji store:7");
    expect(consentSourceLabel(en, "partner-import")).toBe("partner-import");
    expect(labelOf(pl, "messageStatuses", "delivered")).toBe("Dostarczona");
  });

  it("reads the ledger's own reasons as words, keeping the hold, sale or code they name", async () => {
    const en = await translator("en");
    const pl = await translator("pl");
    expect(ledgerReason(en, "hld_01m96tq4zk8w2e")).toEqual({ label: "Checkout", detail: "hld_01m96tq4zk8w2e" });
    expect(ledgerReason(pl, "hld_01m96tq4zk8w2e")).toEqual({ label: "Kasa", detail: "hld_01m96tq4zk8w2e" });
    expect(ledgerReason(en, "refund of hld_01m96t")).toEqual({ label: "Checkout refund", detail: "hld_01m96t" });
    expect(ledgerReason(pl, "refund of hld_01m96t").label).toBe("Zwrot przy kasie");
    expect(ledgerReason(en, "refund of T-1001")).toEqual({ label: "Refund of T-1001", detail: "T-1001" });
    expect(ledgerReason(en, "refund of T-9 took back the coupon's credit").label).toBe(
      "Refund of T-9: coupon credit taken back",
    );
    expect(ledgerReason(pl, "coupon FRIES")).toEqual({ label: "Kupon FRIES", detail: "FRIES" });
    expect(ledgerReason(pl, "pending period over")).toEqual({ label: "Koniec okresu oczekiwania" });
    expect(ledgerReason(en, "goodwill after a cold burger")).toEqual({ label: "goodwill after a cold burger" });
  });

  it("shows a stored code outside the contracts as stored, not as a message key", async () => {
    expect(labelOf(await translator("en"), "channels", "telephone")).toBe("telephone");
  });
});

describe("a message step's template id", () => {
  const step = (templateId: string) => CampaignAction.safeParse({ type: "send_message", channel: "push", templateId });

  it("asks for a template when none was chosen, and says only that", () => {
    const parsed = step("");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["templateId", "choose a template"],
    ]);
  });

  it("takes the same ids as before: 1-128 printable characters without spaces", () => {
    expect(step("tpl_01hx").success).toBe(true);
    expect(step("x".repeat(128)).success).toBe(true);
    expect(step("!~").success).toBe(true);
    for (const bad of ["a b", "x".repeat(129), "zażółć", " "]) {
      expect(step(bad).error?.issues.map((i) => i.message)).toEqual(["use 1-128 printable characters without spaces"]);
    }
  });
});
