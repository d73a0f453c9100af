import type { Messages } from "@regulars/web-ui";

const en = {
  title: "Thank you!",
  paid: "Paid: {{amount}}",
  yourPoints: "Your points, {{name}}",
  earned: "Points earned",
  spent: "Points spent",
  balance: "New balance",
  pending: "Pending points",
  couponsUsed: "Coupons used: {{names}}",
  guest: "Sign in next time to collect points on your order.",
  done: "Done",
  tier: "Your tier: {{tier}}.",
  toNext: {
    points_earned: "{{gap}} more points to earn for {{tier}}.",
    spend: "Spend {{gap}} more to reach {{tier}}.",
    orders: "{{gap}} more orders to reach {{tier}}.",
  },
  topTier: "You are in the top tier.",
  rewardReady: "Your points are enough for: {{name}}.",
  rewardAhead: "Next reward: {{name}}, {{formatted}} points to go.",
};

const pl: typeof en = {
  title: "Dziękujemy!",
  paid: "Zapłacono: {{amount}}",
  yourPoints: "Twoje punkty, {{name}}",
  earned: "Zdobyte punkty",
  spent: "Wydane punkty",
  balance: "Nowe saldo",
  pending: "Punkty oczekujące",
  couponsUsed: "Wykorzystane kupony: {{names}}",
  guest: "Następnym razem zaloguj się, aby zbierać punkty za zamówienie.",
  done: "Gotowe",
  tier: "Twój poziom: {{tier}}.",
  toNext: {
    points_earned: "Do poziomu {{tier}} brakuje punktów: {{gap}}.",
    spend: "Do poziomu {{tier}} brakuje wydatków: {{gap}}.",
    orders: "Do poziomu {{tier}} brakuje zamówień: {{gap}}.",
  },
  topTier: "Masz najwyższy poziom.",
  rewardReady: "Twoje punkty wystarczą na: {{name}}.",
  rewardAhead: "Następna nagroda: {{name}}, brakuje punktów: {{formatted}}.",
};

export const receiptMessages: Messages<typeof en> = { en, pl };
