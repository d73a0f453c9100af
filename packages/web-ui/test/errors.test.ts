import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { type ApiFailure, describeError, fieldErrors } from "../src/errors.ts";

/** A failed tRPC call as the client holds it: the house body in `data.error`. */
const refused = (body: ApiFailure) => ({ message: body.message, data: { error: body } });

const invalidStaff = refused({
  code: "invalid_request",
  message: "the input is invalid: email, password, levels.0.threshold, eventTypes, validTo, colour",
  requestId: "req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y",
  issues: [
    {
      path: "email",
      message: "must be an e-mail address",
      code: "invalid_format",
      params: { origin: "string", format: "email" },
    },
    {
      path: "password",
      message: "must be at least 12 characters",
      code: "too_small",
      params: { origin: "string", minimum: 12, inclusive: true },
    },
    {
      path: "levels.0.threshold",
      message: "must be at least -211",
      code: "too_small",
      params: { origin: "number", minimum: -211, inclusive: true },
    },
    { path: "eventTypes", message: "subscribe to at least one event type" },
    { path: "name", message: "required", code: "invalid_type", params: { expected: "string" } },
    { path: "validTo", message: "must be after validFrom", code: "custom" },
    { path: "colour", message: "must rhyme with orange", code: "some_future_code" },
  ],
});

describe("fieldErrors", () => {
  it("says each refusal in Polish from its code and bounds, or from the known server text", () => {
    expect(fieldErrors(invalidStaff, { language: "pl" })).toEqual({
      email: "musi być adresem e-mail",
      password: "musi mieć co najmniej 12 znaków",
      "levels.0.threshold": "musi wynosić co najmniej -211",
      eventTypes: "wybierz co najmniej jeden typ zdarzeń",
      name: "pole wymagane",
      validTo: "musi być późniejsze niż początek ważności",
      colour: "must rhyme with orange",
    });
  });

  it("declines Polish nouns by number and says an empty text is empty", () => {
    const sized = (minimum: number) =>
      fieldErrors(
        refused({
          code: "invalid_request",
          message: "x",
          issues: [{ path: "name", message: "x", code: "too_small", params: { origin: "string", minimum } }],
        }),
        { language: "pl" },
      ).name;
    expect([sized(1), sized(2), sized(5), sized(22)]).toEqual([
      "nie może być puste",
      "musi mieć co najmniej 2 znaki",
      "musi mieć co najmniej 5 znaków",
      "musi mieć co najmniej 22 znaki",
    ]);
  });

  it("keeps the server's English in the English page, and reads issues without a code from older servers", () => {
    const errors = fieldErrors(invalidStaff, { language: "en" });
    expect([errors.email, errors.password]).toEqual(["must be an e-mail address", "must be at least 12 characters"]);
    const older = refused({
      code: "invalid_request",
      message: "x",
      issues: [
        { path: "name", message: "required" },
        { path: "points", message: "must be at least -211" },
      ],
    });
    expect(fieldErrors(older, { language: "pl" })).toEqual({
      name: "pole wymagane",
      points: "musi wynosić co najmniej -211",
    });
  });
});

describe("describeError", () => {
  it("names refused fields by the form's labels, not their paths, with the request id as a reference", () => {
    const labels = { email: "Adres e-mail", password: "Hasło", levels: "Poziomy" };
    expect(describeError(invalidStaff, { language: "pl", labels })).toBe(
      "Popraw: Adres e-mail, Hasło, Poziomy. (nr ref. req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y)",
    );
    expect(describeError(invalidStaff, { language: "en", labels: {} })).toBe(
      "Some fields need correcting. (ref. req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y)",
    );
  });

  it("says a domain refusal as its own sentence (the SQL console's), and input checks by the fields", () => {
    const sql = refused({
      code: "invalid_request",
      message: "the query was refused by rule qualified_table: system.tables names a database",
      requestId: "req_1",
      issues: [{ path: "sql", message: "qualified_table: system.tables names a database" }],
    });
    expect(describeError(sql, { language: "en" })).toBe(
      "the query was refused by rule qualified_table: system.tables names a database (ref. req_1)",
    );
    expect(describeError(invalidStaff, { language: "pl" })).toBe(
      "Popraw błędnie wypełnione pola. (nr ref. req_01JD4Z8X9R3V7Q2M5N6P8T0W1Y)",
    );
  });

  it("says an unreachable server in the page's language", () => {
    expect(describeError(new TypeError("Failed to fetch"), { language: "pl" })).toBe(
      "Nie udało się połączyć z serwerem. Sprawdź połączenie i spróbuj ponownie.",
    );
  });

  it("says an unreachable server when tRPC's client wraps fetch's failure, not fetch's own words", () => {
    const lost = TRPCClientError.from(new TypeError("Failed to fetch"));
    expect(lost.message).toBe("Failed to fetch");
    expect(describeError(lost, { language: "pl" })).toBe(
      "Nie udało się połączyć z serwerem. Sprawdź połączenie i spróbuj ponownie.",
    );
  });

  it("says a domain refusal it has no words for by its code, with the server's words kept in parentheses", () => {
    const error = (code: string) => refused({ code, message: "the programme changed meanwhile", requestId: "req_2" });
    const gists = {
      not_found: "Nie znaleziono.",
      conflict: "Konflikt z bieżącym stanem: odśwież i spróbuj ponownie.",
      forbidden: "Brak uprawnień do tej operacji.",
      unprocessable: "Nie można wykonać tej operacji.",
      idempotency_conflict: "Ten klucz idempotencji użyto już dla innego żądania.",
      hold_refused: "Nie można zarezerwować wszystkiego, co wybrano.",
      hold_ended: "Ta rezerwacja już się zakończyła.",
      hold_mismatch: "Rezerwacja dotyczy innego koszyka lub innego klienta: anuluj ją i wyceń koszyk ponownie.",
      hold_unconfirmed: "Rezerwacja czeka na kod SMS klienta: potwierdź ją najpierw.",
      token_invalid: "Ten kod identyfikacyjny jest tu nieważny: pokaż nowy kod.",
      token_expired: "Kod identyfikacyjny wygasł: pokaż nowy kod.",
      token_used: "Ten kod identyfikacyjny został już użyty: pokaż nowy kod.",
      confirmation_failed: "Błędny kod potwierdzenia.",
      confirmation_expired: "Kod potwierdzenia wygasł: rezerwację zwolniono.",
      unauthorized: "Brak dostępu: klucz API jest nieprawidłowy lub go brakuje.",
      unauthenticated: "Nie jesteś zalogowany albo sesja wygasła: zaloguj się ponownie.",
      occurred_at_out_of_range: "Czas zdarzenia jest poza dopuszczalnym zakresem.",
      payload_too_large: "Żądanie jest za duże.",
      unsupported_media_type: "Nieobsługiwany format żądania.",
    };
    for (const [code, gist] of Object.entries(gists)) {
      expect(describeError(error(code), { language: "pl" })).toBe(
        `${gist} (the programme changed meanwhile) (nr ref. req_2)`,
      );
      expect(describeError(error(code), { language: "en" })).toBe("the programme changed meanwhile (ref. req_2)");
    }
  });

  it("keeps a message of a code it does not know, rather than saying nothing", () => {
    const future = refused({ code: "some_future_code", message: "the moon is in the way" });
    expect(describeError(future, { language: "pl" })).toBe("the moon is in the way");
  });
});

/** The domain refusals the admin and the kiosk meet, as the server words them, and what a Polish page says. */
const domainSentences: [code: string, english: string, polish: string][] = [
  ["not_found", "no customer matches", "Nie znaleziono takiego klienta."],
  ["not_found", "no customer with that identity", "Nie znaleziono klienta o tym identyfikatorze."],
  ["not_found", "no such tenant", "Nie znaleziono najemcy."],
  ["not_found", "unknown tenant", "Nie znaleziono najemcy."],
  [
    "token_invalid",
    "the identity token is not valid here; show a fresh code",
    "Ten kod identyfikacyjny jest tu nieważny: pokaż nowy kod.",
  ],
  ["token_expired", "the identity token has expired; show a fresh code", "Kod identyfikacyjny wygasł: pokaż nowy kod."],
  [
    "token_used",
    "this identity token was used already; show a fresh code",
    "Ten kod identyfikacyjny został już użyty: pokaż nowy kod.",
  ],
  ["unprocessable", "the programme has no tiers", "Program nie ma poziomów."],
  ["unprocessable", "a tier floor must end in the future", "Utrzymanie poziomu musi kończyć się w przyszłości."],
  ["hold_refused", "the hold cannot reserve all that was selected", "Nie można zarezerwować wszystkiego, co wybrano."],
  [
    "confirmation_failed",
    "wrong code: no attempts left; the hold was released: place a new hold to send a new code",
    "Błędny kod i nie zostało już prób: rezerwację zwolniono. Złóż nową rezerwację, aby wysłać nowy kod.",
  ],
  [
    "idempotency_conflict",
    "this idempotencyKey was used before for another adjustment; send a changed adjustment under a new key",
    "Ten klucz idempotencji (idempotencyKey) użyto już dla innej korekty: wyślij zmienioną korektę z nowym kluczem.",
  ],
  [
    "conflict",
    "this account was merged into another account; sign in with that one",
    "To konto połączono z innym kontem: zaloguj się na tamto.",
  ],
  [
    "conflict",
    "the customer with this phone number has a checkout in progress at a till; try again in a few minutes",
    "Klient z tym numerem telefonu płaci właśnie przy kasie: spróbuj ponownie za kilka minut.",
  ],
  [
    "forbidden",
    "an analyst key can save SQL segments; definitions need an admin key",
    "Klucz analityka zapisuje tylko segmenty SQL; segment z definicji wymaga klucza administratora.",
  ],
  ["forbidden", "an analyst key can change SQL segments only", "Klucz analityka może zmieniać tylko segmenty SQL."],
  [
    "forbidden",
    "an analyst key cannot pause or resume a segment; an admin can",
    "Klucz analityka nie może wstrzymać ani wznowić segmentu; może to zrobić administrator.",
  ],
  [
    "unprocessable",
    "the broadcast's schedule has no run after now",
    "Harmonogram wysyłki nie ma już żadnego terminu po tej chwili.",
  ],
  [
    "conflict",
    "the programme kept changing underneath this edit; load it again and retry",
    "Program zmieniał się w trakcie tej edycji: wczytaj go ponownie i spróbuj jeszcze raz.",
  ],
  ["unauthenticated", "the e-mail address or the password is wrong", "Nieprawidłowy adres e-mail lub hasło."],
  [
    "conflict",
    "this e-mail address already belongs to a staff account",
    "Ten adres e-mail należy już do konta personelu.",
  ],
  [
    "conflict",
    "this is the tenant's last owner; make someone else an owner first",
    "To ostatni właściciel: najpierw nadaj rolę właściciela komuś innemu.",
  ],
  ["not_found", "no customer cus_1", "Nie znaleziono klienta cus_1."],
  ["not_found", "no customer cus_1 in this tenant", "Nie znaleziono klienta cus_1."],
  [
    "not_found",
    "no customer cus_1: their personal data was erased",
    "Nie znaleziono klienta cus_1: jego dane usunięto.",
  ],
  ["not_found", "no campaign cmp_1", "Nie znaleziono kampanii cmp_1."],
  ["not_found", "campaign cmp_1 has no version 3", "Kampania cmp_1 nie ma wersji 3."],
  [
    "conflict",
    "campaign cmp_1 is archived; it can no longer change",
    "Kampania cmp_1 jest zarchiwizowana: nie można jej już zmienić.",
  ],
  [
    "conflict",
    "a draft campaign cannot become paused",
    "Kampania nie może przejść ze stanu „szkic” w stan „wstrzymana”.",
  ],
  [
    "conflict",
    "an active campaign cannot become scheduled",
    "Kampania nie może przejść ze stanu „aktywna” w stan „zaplanowana”.",
  ],
  [
    "unprocessable",
    "only a broadcast is scheduled; a segment_entered campaign is activated",
    "Planuje się tylko wysyłkę do odbiorców; kampanię typu segment_entered się aktywuje.",
  ],
  ["not_found", "no message template tpl_1", "Nie znaleziono szablonu wiadomości tpl_1."],
  ["conflict", "message template tpl_1 is archived", "Szablon wiadomości tpl_1 jest zarchiwizowany."],
  [
    "conflict",
    "message template tpl_1 is sent by campaigns cmp_1, cmp_2",
    "Szablon wiadomości tpl_1 wysyłają kampanie: cmp_1, cmp_2.",
  ],
  ["not_found", "template tpl_1 has no variants", "Szablon tpl_1 nie ma wariantów."],
  ["not_found", "no coupon campaign cpc_1 in this tenant", "Nie znaleziono kampanii kuponowej cpc_1."],
  [
    "unprocessable",
    "campaign cpc_1 has generic codes; only a campaign with unique codes can generate codes",
    "Kampania cpc_1 ma kody: jeden dla wszystkich; to może zrobić tylko kampania z kodami: unikalne.",
  ],
  [
    "conflict",
    "the code SUMMER is already used by another coupon campaign of this tenant",
    "Kod SUMMER jest już używany przez inną kampanię kuponową.",
  ],
  [
    "unprocessable",
    "coupon campaign cpc_1 is paused; resume it to issue coupons",
    "Kampania kuponowa cpc_1 jest wstrzymana: wznów ją, aby wydawać kupony.",
  ],
  [
    "unprocessable",
    "coupon campaign cpc_1 has imported codes, which its partner hands out; issue a generic or unique campaign",
    "Kampania kuponowa cpc_1 ma kody zaimportowane, które rozdaje partner: wydaj kupon z kampanii z innymi kodami.",
  ],
  [
    "idempotency_conflict",
    "issue key k1 already issued campaign cpc_1 to customer cus_1",
    "Kluczem k1 wydano już kupon z kampanii cpc_1 klientowi cus_1.",
  ],
  [
    "unprocessable",
    "the pattern of campaign cpc_1 is full: add X's",
    "Wzorzec kodów kampanii cpc_1 jest pełny: dodaj znaki X.",
  ],
  [
    "unprocessable",
    "pattern S-XXXX holds at most 0 codes, too few for 4,000: use 7 X's, as in S-XXXXXXX " +
      "(one code per 1,000,000 combinations keeps codes unguessable)",
    "Wzór S-XXXX mieści najwyżej tyle kodów: 0, za mało na 4000. Użyj wzoru z 7 znakami X, np. S-XXXXXXX " +
      "(jeden kod na 1 000 000 kombinacji, by kodów nie dało się odgadnąć).",
  ],
  [
    "unprocessable",
    "pattern LUNCH-XXXXXXX holds at most 4,586 codes and the tenant has 4,000 of them already, any campaign's or " +
      "import's: 586 more fit, not 2,000; for more, use 8 X's, as in LUNCH-XXXXXXXX " +
      "(one code per 1,000,000 combinations keeps codes unguessable)",
    "Wzór LUNCH-XXXXXXX mieści najwyżej tyle kodów: 4586, a istnieje już 4000 (z dowolnych kampanii i importów): " +
      "zmieści się jeszcze 586, nie 2000. Aby mieć więcej, użyj wzoru z 8 znakami X, np. LUNCH-XXXXXXXX " +
      "(jeden kod na 1 000 000 kombinacji, by kodów nie dało się odgadnąć).",
  ],
  [
    "conflict",
    "this phone number belongs to another app account of this brand; sign in with that one",
    "Ten numer telefonu należy do innego konta tej marki (app): zaloguj się na tamto.",
  ],
  ["conflict", "customer cus_1 was merged into another account already", "Klienta cus_1 połączono już z innym kontem."],
  [
    "conflict",
    "customer cus_1 is being merged again and again; try again",
    "Konto klienta cus_1 jest właśnie łączone: spróbuj ponownie.",
  ],
  ["unprocessable", 'the programme has no tier "gold"', "Program nie ma poziomu „gold”."],
  ["not_found", "no hold hld_0123456789", "Nie znaleziono rezerwacji hld_0123456789."],
  [
    "conflict",
    "hold hld_0123456789 needs no confirmation: only wallet cash spent at a till (channel pos) is confirmed by a code",
    "Rezerwacja hld_0123456789 nie wymaga potwierdzenia: kodem potwierdza się tylko środki z portfela wydawane przy kasie.",
  ],
  [
    "confirmation_failed",
    "wrong code for hold hld_0123456789, which is confirmed already",
    "Błędny kod; rezerwacja hld_0123456789 jest już potwierdzona.",
  ],
  [
    "hold_ended",
    "hold hld_0123456789 is voided; place a new hold to send a new code",
    "Rezerwacja hld_0123456789 jest anulowana: złóż nową rezerwację, aby wysłać nowy kod.",
  ],
  ["confirmation_failed", "wrong code: 1 attempt left", "Błędny kod. Pozostałe próby: 1."],
  ["confirmation_failed", "wrong code: 2 attempts left", "Błędny kod. Pozostałe próby: 2."],
  [
    "hold_refused",
    "the hold cannot reserve all that was selected (points: points_insufficient)",
    "Nie można zarezerwować wszystkiego, co wybrano (points: points_insufficient).",
  ],
  [
    "hold_ended",
    "hold hld_0123456789 was committed by its sale; refund the sale instead",
    "Rezerwację hld_0123456789 zatwierdziła już jej sprzedaż: zamiast tego zwróć sprzedaż.",
  ],
  [
    "unprocessable",
    "the points balance is 100, of which 80 held by a checkout in progress; an adjustment cannot take it below zero",
    "Saldo punktów wynosi 100, z czego 80 rezerwuje trwająca płatność; korekta nie może zejść poniżej zera.",
  ],
  [
    "unprocessable",
    "the wallet balance is 0; an adjustment cannot take it below zero",
    "Saldo portfela wynosi 0; korekta nie może zejść poniżej zera.",
  ],
  [
    "conflict",
    "this customer was merged into cus_2; erase cus_2, which erases both",
    "Tego klienta połączono z kontem cus_2: usuń dane konta cus_2, co usunie oba.",
  ],
  ["not_found", "no erasure request era_1", "Nie znaleziono wniosku o usunięcie danych era_1."],
  [
    "not_found",
    "no transaction with id txn_1 is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again",
    "Transakcja txn_1 nie jest jeszcze znana; przyjęta przed chwilą może jeszcze nie być widoczna: zapytaj ponownie.",
  ],
  [
    "not_found",
    "no transaction pos-77 is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again",
    "Transakcja pos-77 nie jest jeszcze znana; przyjęta przed chwilą może jeszcze nie być widoczna: zapytaj ponownie.",
  ],
  ["not_found", "programme version 4 does not exist", "Wersja programu 4 nie istnieje."],
  ["not_found", "the programme has no stamp card 'coffee'", "Program nie ma karty pieczątek „coffee”."],
  ["not_found", "the programme has no rule 'double'", "Program nie ma reguły „double”."],
  [
    "conflict",
    "version 4 took effect at 2026-03-01 00:00 Europe/Warsaw (2026-02-28T23:00:00.000Z): only a version scheduled for " +
      "the future can be cancelled. Make a new change to undo what it changed",
    "Wersja 4 obowiązuje od 2026-03-01 00:00 Europe/Warsaw (2026-02-28T23:00:00.000Z): anulować można tylko wersję " +
      "zaplanowaną. Aby cofnąć jej zmiany, wprowadź nową zmianę.",
  ],
  [
    "conflict",
    "version 4 takes effect at 12:00 (T1), too close to cancel: sales stamped up to 300 seconds ahead of the clock " +
      "are accepted and may already have earned under it, so it could be cancelled only before 11:55 (T0). Make a " +
      "new change to undo what it changes",
    "Wersja 4 zaczyna obowiązywać 12:00 (T1), zbyt niedługo, by ją anulować: można było to zrobić do 11:55 (T0), " +
      "bo sprzedaże z niewielkim wyprzedzeniem zegara mogły już według niej naliczyć punkty. Aby cofnąć jej zmiany, " +
      "wprowadź nową zmianę.",
  ],
  [
    "conflict",
    "version 5, scheduled from 12:00 (T1), was made after version 4 and carries its changes: cancel version 5 first",
    "Wersja 5, zaplanowana od 12:00 (T1), powstała po wersji 4 i zawiera jej zmiany: najpierw anuluj wersję 5.",
  ],
  ["conflict", 'a segment named "VIP" exists already', 'Segment o nazwie "VIP" już istnieje.'],
  ["not_found", "no segment seg_1", "Nie znaleziono segmentu seg_1."],
  ["not_found", "no tenant ten_1", "Nie znaleziono najemcy ten_1."],
  ["not_found", "no staff member stf_1", "Nie znaleziono członka personelu stf_1."],
  [
    "forbidden",
    "you cannot remove yourself; ask another owner",
    "Nie możesz usunąć siebie: poproś innego właściciela.",
  ],
  [
    "forbidden",
    "you cannot change the role of yourself; ask another owner",
    "Nie możesz zmienić własnej roli: poproś innego właściciela.",
  ],
  ["not_found", "no key key_1 in this tenant", "Nie znaleziono klucza key_1."],
  [
    "conflict",
    "key key_1 is already revoked; create a new key instead",
    "Klucz key_1 jest już unieważniony: utwórz nowy klucz.",
  ],
  ["not_found", "no webhook endpoint whe_1", "Nie znaleziono punktu odbioru whe_1."],
  [
    "conflict",
    "a tenant may have at most 10 webhook endpoints: delete one before adding another",
    "Można mieć najwyżej 10 punktów odbioru: usuń jeden, zanim dodasz kolejny.",
  ],
  [
    "conflict",
    "endpoint whe_1 is disabled: enable it before replaying",
    "Punkt odbioru whe_1 jest wyłączony: włącz go przed ponownym wysłaniem.",
  ],
  ["not_found", "no webhook delivery whd_1", "Nie znaleziono doręczenia whd_1."],
  [
    "forbidden",
    "an analyst key cannot do this; it needs an admin or pos key",
    "Klucz analyst nie może tego zrobić: potrzebny jest klucz admin lub pos.",
  ],
  [
    "forbidden",
    "a marketer cannot do this; only an owner manages staff and API keys",
    "Rola marketer nie może tego zrobić: personelem i kluczami API zarządza tylko właściciel.",
  ],
];

describe("describeError of a domain refusal", () => {
  it.each(domainSentences)("says %s %j in Polish, and as it stands in English", (code, english, polish) => {
    const error = refused({ code, message: english });
    expect(describeError(error, { language: "pl" })).toBe(polish);
    expect(describeError(error, { language: "en" })).toBe(english);
  });

  it("says instants in the sentence on the page's clock", () => {
    const at = new Date(Date.now() - 86_400_000).toISOString();
    const ended = describeError(refused({ code: "unprocessable", message: `coupon campaign cpc_1 ended at ${at}` }), {
      language: "pl",
    });
    expect(ended).toMatch(/^Kampania kuponowa cpc_1 zakończyła się \d.+\.$/);
    expect(ended).not.toContain(at);
    const expired = describeError(
      refused({
        code: "confirmation_expired",
        message: `the code for hold hld_0123456789 expired at ${at}; the hold was released: place a new hold to send a new code`,
      }),
      { language: "pl" },
    );
    expect(expired).toMatch(
      /^Kod rezerwacji hld_0123456789 wygasł \d.+; rezerwację zwolniono: złóż nową, aby wysłać nowy kod\.$/,
    );
  });

  it("words the adjustment floor from its code, whatever its English says", () => {
    const floor = refused({
      code: "unprocessable",
      message: "x",
      issues: [
        {
          path: "amount",
          message: "may not go under -20",
          code: "too_small",
          params: { origin: "number", minimum: -20, inclusive: true },
        },
      ],
    });
    expect(fieldErrors(floor, { language: "pl" })).toEqual({ amount: "musi wynosić co najmniej -20" });
  });
});
