import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "Dashboard",
  title: "Programme at a glance",
  range: "Range",
  rangeDays: "Last {{count}} days",
  granularity: "Per",
  granularities: { day: "Day", week: "Week", month: "Month" },
  inZone: "Days in {{zone}}, {{from}} to {{to}}.",
  period: "Period",
  kpis: "Key figures",
  earned: "Points earned, net of refunds",
  redeemed: "Points redeemed, net of refunds",
  expired: "Points expired",
  redemptionRate: "Redemption rate",
  activeMembers: "Active members",
  averagePoints: "Average points per member",
  notApplicable: "n/a",
  points: {
    title: "Points over time",
    summary_one:
      "Points earned: {{earned}} after {{reversed}} taken back by refunds; redeemed: {{redeemed}} after {{returned}} given back by refunds; expired: {{expired}}; redemption rate {{rate}}, over {{periods}} period. A refund counts in the period it happened in.",
    summary_other:
      "Points earned: {{earned}} after {{reversed}} taken back by refunds; redeemed: {{redeemed}} after {{returned}} given back by refunds; expired: {{expired}}; redemption rate {{rate}}, over {{periods}} periods. A refund counts in the period it happened in.",
  },
  tiers: {
    title: "Active members per tier",
    summary_one:
      "{{members}} active member (a sale in the last {{days}} days), in the tier they held on {{asOf}}: {{list}}.",
    summary_other:
      "{{members}} active members (a sale in the last {{days}} days), each in the tier they held on {{asOf}}: {{list}}.",
    tier: "Tier",
    members: "Members",
    noTier: "No tier",
  },
  coupons: {
    title: "Coupons over time",
    issued: "Issued",
    redeemed: "Redeemed",
    returned: "Returned",
    summary:
      "Coupons issued: {{issued}}, redeemed: {{redeemed}} (members' and anonymous sales' uses), returned: {{returned}}; discount granted {{discount}}.",
  },
  locations: {
    title: "Revenue per location",
    location: "Location",
    revenue: "Revenue",
    transactions: "Sales",
    refunds: "Refunds",
    summary_one: "Revenue at {{count}} location, {{total}} in all: {{list}}.",
    summary_other: "Revenue at {{count}} locations, {{total}} in all: {{list}}.",
    empty: "No sales in this range.",
  },
  campaigns: {
    title: "Campaign results",
    caption: "Active and recent campaigns: messages sent, open and click rates, and conversion uplift against control",
    name: "Campaign",
    status: "Status",
    sent: "Sent",
    opened: "Opened",
    clicked: "Clicked",
    uplift: "Uplift vs control",
    upliftHint: "Conversion within 14 days of entering, entered customers against the control group.",
    statuses: { draft: "Draft", scheduled: "Scheduled", active: "Active", paused: "Paused", archived: "Archived" },
  },
};

/**
 * A summary that counts has a form per plural category, picked by i18next from `count`: English `_one` and `_other`,
 * Polish `_one` ("w 1 lokalu"), `_few` ("w 3 lokalach"), `_many` ("w 5 lokalach") and `_other` (fractions, unused).
 */
type Counted<T> = T & { summary_few: string; summary_many: string };
type Polish = Omit<typeof en, "points" | "tiers" | "locations"> & {
  points: Counted<typeof en.points>;
  tiers: Counted<typeof en.tiers>;
  locations: Counted<typeof en.locations>;
};

const pl: Polish = {
  nav: "Pulpit",
  title: "Program w skrócie",
  range: "Zakres",
  rangeDays: "Ostatnie {{count}} dni",
  granularity: "Według",
  granularities: { day: "Dnia", week: "Tygodnia", month: "Miesiąca" },
  inZone: "Dni w strefie {{zone}}, od {{from}} do {{to}}.",
  period: "Okres",
  kpis: "Najważniejsze liczby",
  earned: "Punkty zdobyte, po odjęciu zwrotów",
  redeemed: "Punkty wykorzystane, po odjęciu zwrotów",
  expired: "Punkty wygasłe",
  redemptionRate: "Wskaźnik wykorzystania",
  activeMembers: "Aktywni członkowie",
  averagePoints: "Średnio punktów na członka",
  notApplicable: "b.d.",
  points: {
    title: "Punkty w czasie",
    summary_one:
      "Punkty zdobyte: {{earned}} po odjęciu {{reversed}} cofniętych przez zwroty; wykorzystane: {{redeemed}} po odjęciu {{returned}} oddanych przez zwroty; wygasłe: {{expired}}; wskaźnik wykorzystania {{rate}}, w {{periods}} okresie. Zwrot liczy się w okresie, w którym nastąpił.",
    summary_few:
      "Punkty zdobyte: {{earned}} po odjęciu {{reversed}} cofniętych przez zwroty; wykorzystane: {{redeemed}} po odjęciu {{returned}} oddanych przez zwroty; wygasłe: {{expired}}; wskaźnik wykorzystania {{rate}}, w {{periods}} okresach. Zwrot liczy się w okresie, w którym nastąpił.",
    summary_many:
      "Punkty zdobyte: {{earned}} po odjęciu {{reversed}} cofniętych przez zwroty; wykorzystane: {{redeemed}} po odjęciu {{returned}} oddanych przez zwroty; wygasłe: {{expired}}; wskaźnik wykorzystania {{rate}}, w {{periods}} okresach. Zwrot liczy się w okresie, w którym nastąpił.",
    summary_other:
      "Punkty zdobyte: {{earned}} po odjęciu {{reversed}} cofniętych przez zwroty; wykorzystane: {{redeemed}} po odjęciu {{returned}} oddanych przez zwroty; wygasłe: {{expired}}; wskaźnik wykorzystania {{rate}}, w {{periods}} okresu. Zwrot liczy się w okresie, w którym nastąpił.",
  },
  tiers: {
    title: "Aktywni członkowie według poziomu",
    summary_one:
      "{{members}} aktywny członek (zakup w ostatnich {{days}} dniach), na poziomie, który miał w dniu {{asOf}}: {{list}}.",
    summary_few:
      "{{members}} aktywnych członków (zakup w ostatnich {{days}} dniach), każdy na poziomie, który miał w dniu {{asOf}}: {{list}}.",
    summary_many:
      "{{members}} aktywnych członków (zakup w ostatnich {{days}} dniach), każdy na poziomie, który miał w dniu {{asOf}}: {{list}}.",
    summary_other:
      "{{members}} aktywnego członka (zakup w ostatnich {{days}} dniach), każdy na poziomie, który miał w dniu {{asOf}}: {{list}}.",
    tier: "Poziom",
    members: "Członkowie",
    noTier: "Bez poziomu",
  },
  coupons: {
    title: "Kupony w czasie",
    issued: "Wydane",
    redeemed: "Wykorzystane",
    returned: "Zwrócone",
    summary:
      "Kupony wydane: {{issued}}, wykorzystane: {{redeemed}} (przez członków i przy sprzedażach bez klienta), zwrócone: {{returned}}; przyznany rabat {{discount}}.",
  },
  locations: {
    title: "Przychód według lokalu",
    location: "Lokal",
    revenue: "Przychód",
    transactions: "Sprzedaże",
    refunds: "Zwroty",
    summary_one: "Przychód w {{count}} lokalu, łącznie {{total}}: {{list}}.",
    summary_few: "Przychód w {{count}} lokalach, łącznie {{total}}: {{list}}.",
    summary_many: "Przychód w {{count}} lokalach, łącznie {{total}}: {{list}}.",
    summary_other: "Przychód w {{count}} lokalu, łącznie {{total}}: {{list}}.",
    empty: "Brak sprzedaży w tym zakresie.",
  },
  campaigns: {
    title: "Wyniki kampanii",
    caption:
      "Aktywne i ostatnie kampanie: wysłane wiadomości, odsetek otwarć i kliknięć oraz wzrost konwersji wobec grupy kontrolnej",
    name: "Kampania",
    status: "Status",
    sent: "Wysłane",
    opened: "Otwarte",
    clicked: "Kliknięte",
    uplift: "Wzrost wobec kontroli",
    upliftHint: "Konwersja w ciągu 14 dni od wejścia, klienci objęci kampanią wobec grupy kontrolnej.",
    statuses: {
      draft: "Szkic",
      scheduled: "Zaplanowana",
      active: "Aktywna",
      paused: "Wstrzymana",
      archived: "Zarchiwizowana",
    },
  },
};

export const messages: Messages<typeof en> = { en, pl };
