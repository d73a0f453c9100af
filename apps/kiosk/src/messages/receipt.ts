import type { Messages } from "@regulars/web-ui";
import type { WithPolishPlurals } from "./plurals.ts";

const en = {
  title: "Thank you!",
  paid: "Paid: {{amount}}",
  yourPoints: "Your points",
  yourPointsNamed: "Your points, {{name}}",
  earned: "Points earned",
  spent: "Points spent",
  balance: "New balance",
  pending: "Pending points",
  couponsUsed: "Coupons used: {{names}}",
  guest: "Sign in next time to collect points on your order.",
  done: "Done",
  tier: "Your tier: {{tier}}.",
  toNext: {
    points_earned_one: "{{gap}} more point to earn for {{tier}}.",
    points_earned_other: "{{gap}} more points to earn for {{tier}}.",
    spend: "Spend {{gap}} more to reach {{tier}}.",
    orders_one: "{{gap}} more order to reach {{tier}}.",
    orders_other: "{{gap}} more orders to reach {{tier}}.",
  },
  topTier: "You are in the top tier.",
  rewardReady: "Your points are enough for: {{name}}.",
  rewardAhead_one: "Next reward: {{name}}, {{formatted}} point to go.",
  rewardAhead_other: "Next reward: {{name}}, {{formatted}} points to go.",
};

const pl: WithPolishPlurals<typeof en, "rewardAhead"> & {
  toNext: WithPolishPlurals<(typeof en)["toNext"], "points_earned" | "orders">;
} = {
  title: "Dziękujemy!",
  paid: "Zapłacono: {{amount}}",
  yourPoints: "Twoje punkty",
  yourPointsNamed: "Twoje punkty, {{name}}",
  earned: "Zdobyte punkty",
  spent: "Wydane punkty",
  balance: "Nowe saldo",
  pending: "Punkty oczekujące",
  couponsUsed: "Wykorzystane kupony: {{names}}",
  guest: "Następnym razem zaloguj się, aby zbierać punkty za zamówienie.",
  done: "Gotowe",
  tier: "Twój poziom: {{tier}}.",
  toNext: {
    points_earned_one: "Do poziomu {{tier}} został jeszcze {{gap}} punkt do zdobycia.",
    points_earned_few: "Do poziomu {{tier}} zostały jeszcze {{gap}} punkty do zdobycia.",
    points_earned_many: "Do poziomu {{tier}} zostało jeszcze {{gap}} punktów do zdobycia.",
    points_earned_other: "Do poziomu {{tier}} zostało jeszcze {{gap}} punktu do zdobycia.",
    spend: "Do poziomu {{tier}} brakuje wydatków: {{gap}}.",
    orders_one: "Do poziomu {{tier}} zostało jeszcze {{gap}} zamówienie.",
    orders_few: "Do poziomu {{tier}} zostały jeszcze {{gap}} zamówienia.",
    orders_many: "Do poziomu {{tier}} zostało jeszcze {{gap}} zamówień.",
    orders_other: "Do poziomu {{tier}} zostało jeszcze {{gap}} zamówienia.",
  },
  topTier: "Masz najwyższy poziom.",
  rewardReady: "Twoje punkty wystarczą na: {{name}}.",
  rewardAhead_one: "Następna nagroda: {{name}}, jeszcze {{formatted}} punkt.",
  rewardAhead_few: "Następna nagroda: {{name}}, jeszcze {{formatted}} punkty.",
  rewardAhead_many: "Następna nagroda: {{name}}, jeszcze {{formatted}} punktów.",
  rewardAhead_other: "Następna nagroda: {{name}}, jeszcze {{formatted}} punktu.",
};

export const receiptMessages: Messages<typeof en> = { en, pl };
