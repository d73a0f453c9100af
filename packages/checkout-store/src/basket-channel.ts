import type { ApiKeyRole, Channel } from "@regulars/contracts";
import { channelRefusal } from "@regulars/contracts/api-access";
import { DomainError } from "@regulars/errors";

/**
 * Throws 403 `channel_not_allowed` naming `basket.channel` when a key of this role may not quote or hold a basket of
 * this channel; called before the customer or any code is looked up, so a refused basket is counted against nothing.
 * Coupons limited to channels are checked on the basket's channel, and only a sale of the hold's channel commits a
 * hold, so a till checks out the channels whose sales it may post (`transactionChannelsOfRole`): a kiosk key quoting
 * an `app` basket would learn and reserve the app's coupons from public hardware. Admins (an admin key, staff) post
 * no sales and may act for any customer anyway: their baskets are of any channel, and the sale that commits such a
 * hold is bounded by its own key.
 */
export function assertBasketChannelAllowed(role: ApiKeyRole, channel: Channel): void {
  if (role === "admin") return;
  const refused = channelRefusal(role, channel, "transactions");
  if (!refused) return;
  const only = refused.allowed.join(" or ") || "none";
  throw new DomainError(refused.code, `${refused.message}, and quotes and holds baskets of those channels only`, [
    { path: "basket.channel", message: `must be ${only} for a ${role} key` },
  ]);
}
