import type { RouterOutputs } from "@regulars/web-ui";
import type { TFunction } from "i18next";

/**
 * The ledger's movement kinds, as `MovementKind` of @regulars/ledger (a server package the admin app does not
 * depend on); test/customer-codes.test.ts stops typechecking when the two part, so a new kind gets a label.
 */
export type MovementKind =
  | "earn"
  | "bonus"
  | "redeem"
  | "expire"
  | "adjust"
  | "reverse"
  | "release"
  | "transfer_in"
  | "transfer_out";

/** A wallet coupon's own state (used, expired, …), as the API's wallet answers it. */
export type WalletCouponState = RouterOutputs["coupons"]["wallet"][number]["state"];

/** A message's delivery status as the messages table stores it (`DeliveryStatus` of @regulars/messaging, and cancelled). */
export type MessageStatus = "queued" | "sent" | "delivered" | "opened" | "clicked" | "failed" | "cancelled";

/** What the kind of a stored identity names, as `identityOf` (@regulars/contracts) writes it: app sign-ins by provider. */
const externalPrefix = "ext:";

/**
 * A stored code in the staff's language. The API types these columns as plain strings, so a value outside the
 * labels (a row older than the contracts) shows as stored rather than as a missing-message key.
 */
export const labelOf = (t: TFunction, group: string, code: string): string =>
  t(`${group}.${code}`, { defaultValue: code });

/** An identity as staff read it: "Phone: +48…", "App sign-in (google): 1087…". */
export function identityLabel(t: TFunction, identity: { kind: string; value: string }): string {
  const kind = identity.kind.startsWith(externalPrefix)
    ? t("identityKinds.external", { provider: identity.kind.slice(externalPrefix.length) })
    : labelOf(t, "identityKinds", identity.kind);
  return `${kind}: ${identity.value}`;
}

/**
 * Where a consent choice was recorded, as staff read it: "App", "Till at store-001". The app may name its own screen
 * after a colon (`app:settings`), shown beside the word; a source outside these shows as stored.
 */
export function consentSourceLabel(t: TFunction, source: string): string {
  const [origin = source, detail] = source.split(/:(.*)/s);
  if (origin === "till" && detail) return t("consentSources.till", { location: detail });
  if (origin !== "app" && origin !== "admin") return source;
  const label = labelOf(t, "consentSources", origin);
  return detail ? `${label} (${detail})` : label;
}

/**
 * The reasons the ledger writes itself, as `@regulars/ledger` and the ledger store word them: a checkout's redemption
 * names its hold (`hld_…`), its refund `refund of hld_…`, a coupon's credit `coupon CODE`. Each is read in the staff's
 * language with the id it names kept as `detail` (a tooltip); anything else (what staff typed) shows as stored.
 */
const machineReasons: [RegExp, string][] = [
  [/^(hld_[0-9a-z]+)$/i, "checkout"],
  [/^refund of (hld_[0-9a-z]+)$/i, "checkoutRefund"],
  [/^refund of (\S+) took back the coupon's credit$/, "couponCreditTakenBack"],
  [/^refund of (\S+)$/, "saleRefund"],
  [/^coupon (\S+)$/, "coupon"],
  [/^merged from (\S+)$/, "merged"],
  [/^pending period over$/, "pendingOver"],
  [/^points reached their expiry date$/, "pointsExpired"],
];

export function ledgerReason(t: TFunction, reason: string): { label: string; detail?: string } {
  for (const [pattern, key] of machineReasons) {
    const match = pattern.exec(reason);
    if (!match) continue;
    const id = match[1];
    return id === undefined
      ? { label: t(`ledger.reasons.${key}`) }
      : { label: t(`ledger.reasons.${key}`, { id }), detail: id };
  }
  return { label: reason };
}
