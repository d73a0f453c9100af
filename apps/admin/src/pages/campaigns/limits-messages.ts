/** The builder's "Limits" section, in each language; part of the campaigns namespace as `limits.*`. */
const en = {
  title: "Limits",
  suggestedNote: "Suggested for this trigger; change them as you need.",
  perCustomer: "How often one customer can get this campaign",
  perCustomerHint: "Once suits a welcome; birthdays and weekly offers come back.",
  modes: { once: "Only once, ever", repeatable: "Every time the trigger happens" },
  minGap: "At least this many hours apart",
  minGapHint: "0 for no minimum; 24 is a day, 168 a week",
  caps: "Message caps",
  capsHint: "Counted across all campaigns, so nobody gets too many; a message over a cap is not sent.",
  noCaps: "No caps: this campaign's messages are not held back by how many a customer had lately.",
  quiet: "Keep quiet at night",
  quietHint: "No message goes out between these local times; it waits until the quiet hours end.",
  quietFrom: "Quiet from",
  quietTo: "Quiet until",
  quietSame: "Choose two different times",
};

const pl: typeof en = {
  title: "Limity",
  suggestedNote: "Propozycja dla tego wyzwalacza; zmień ją według potrzeb.",
  perCustomer: "Jak często jeden klient może otrzymać tę kampanię",
  perCustomerHint: "Raz wystarczy na powitanie; urodziny i cotygodniowe oferty wracają.",
  modes: { once: "Tylko raz", repeatable: "Za każdym razem, gdy zajdzie wyzwalacz" },
  minGap: "Co najmniej tyle godzin odstępu",
  minGapHint: "0 – bez minimum; 24 to doba, 168 tydzień",
  caps: "Limity wiadomości",
  capsHint: "Liczone ze wszystkich kampanii, by nikogo nie zasypać; wiadomość ponad limit nie jest wysyłana.",
  noCaps: "Bez limitów: wiadomości tej kampanii nie zależą od tego, ile klient dostał ostatnio.",
  quiet: "Cisza nocna",
  quietHint: "Między tymi godzinami (czasu lokalnego) nic nie jest wysyłane; wiadomość czeka do końca ciszy.",
  quietFrom: "Cisza od",
  quietTo: "Cisza do",
  quietSame: "Wybierz dwie różne godziny",
};

export const limitsMessages = { en, pl };
