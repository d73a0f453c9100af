/**
 * How current a segment's members are, and refreshing them from the list. Members not of the current definition, or
 * of a paused segment, pay no earning rule, though campaigns still reach them: the texts say both.
 */
export const membershipEn = {
  actions: "Actions",
  refreshOf: "Refresh now: {{name}}",
  refreshedNamed_one: "Refreshed {{name}}: {{members}} member, {{entered}} entered, {{left}} left.",
  refreshedNamed_other: "Refreshed {{name}}: {{members}} members, {{entered}} entered, {{left}} left.",
  refreshFailed: "{{name}} was not refreshed: {{error}}",
  stale: {
    earlier: "Members from an earlier definition — refresh pending",
    earlierPaused: "Members from an earlier definition — not refreshed while paused",
    none: "Not refreshed yet — refresh pending",
    nonePaused: "Not refreshed yet — not refreshed while paused",
  },
  staleDetail: {
    earlier:
      "Members from an earlier definition (version {{refreshed}}; the segment is now at version {{version}}) — " +
      "refresh pending. Until it runs, campaigns still reach these members and earning rules pay none of them.",
    earlierPaused:
      "Members from an earlier definition (version {{refreshed}}; the segment is now at version {{version}}), kept " +
      "while paused: nothing refreshes them until the segment is resumed or refreshed by hand.",
    none: "Not refreshed yet — refresh pending: no members until it runs.",
    nonePaused: "Not refreshed yet, and paused: no members until the segment is resumed or refreshed by hand.",
  },
  pausedHint: "Members kept, not refreshed; earning rules pay no member of a paused segment",
  pausedDetail:
    "Paused: members kept, not refreshed; earning rules pay no member of a paused segment. Campaigns still reach them.",
};

/** Polish counts have `_few` and `_many` forms besides English's (see messages.ts). */
export const membershipPl: typeof membershipEn & Record<"refreshedNamed_few" | "refreshedNamed_many", string> = {
  actions: "Działania",
  refreshOf: "Odśwież teraz: {{name}}",
  refreshedNamed_one: "Odświeżono {{name}}: {{members}} członek, weszło {{entered}}, wyszło {{left}}.",
  refreshedNamed_few: "Odświeżono {{name}}: {{members}} członków, weszło {{entered}}, wyszło {{left}}.",
  refreshedNamed_many: "Odświeżono {{name}}: {{members}} członków, weszło {{entered}}, wyszło {{left}}.",
  refreshedNamed_other: "Odświeżono {{name}}: {{members}} członka, weszło {{entered}}, wyszło {{left}}.",
  refreshFailed: "Nie odświeżono segmentu {{name}}: {{error}}",
  stale: {
    earlier: "Członkowie według wcześniejszej definicji — oczekiwanie na odświeżenie",
    earlierPaused: "Członkowie według wcześniejszej definicji — nieodświeżani podczas wstrzymania",
    none: "Jeszcze nieodświeżony — oczekiwanie na odświeżenie",
    nonePaused: "Jeszcze nieodświeżony — nieodświeżany podczas wstrzymania",
  },
  staleDetail: {
    earlier:
      "Członkowie według wcześniejszej definicji (wersja {{refreshed}}; segment ma teraz wersję {{version}}) — " +
      "oczekiwanie na odświeżenie. Do tego czasu kampanie nadal do nich docierają, a reguły naliczania nie " +
      "przyznają im punktów.",
    earlierPaused:
      "Członkowie według wcześniejszej definicji (wersja {{refreshed}}; segment ma teraz wersję {{version}}), " +
      "zachowani na czas wstrzymania: nic ich nie odświeży, dopóki segment nie zostanie wznowiony albo odświeżony " +
      "ręcznie.",
    none: "Jeszcze nieodświeżony — oczekiwanie na odświeżenie: do tego czasu bez członków.",
    nonePaused:
      "Jeszcze nieodświeżony i wstrzymany: bez członków, dopóki segment nie zostanie wznowiony albo odświeżony " +
      "ręcznie.",
  },
  pausedHint:
    "Członkowie zachowani, nieodświeżani; reguły naliczania nie przyznają punktów członkom wstrzymanego segmentu",
  pausedDetail:
    "Wstrzymany: członkowie zachowani, nieodświeżani; reguły naliczania nie przyznają punktów członkom " +
    "wstrzymanego segmentu. Kampanie nadal do nich docierają.",
};
