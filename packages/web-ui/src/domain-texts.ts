import { polishCount } from "./polish-count.ts";

/** Domain refusals the admin and kiosk meet, whole sentences (the procedures' tests pin the English). */
const polishOfDomainText: Record<string, string> = {
  "no customer matches": "Nie znaleziono takiego klienta.",
  "no customer with that identity": "Nie znaleziono klienta o tym identyfikatorze.",
  "no such tenant": "Nie znaleziono najemcy.",
  "unknown tenant": "Nie znaleziono najemcy.",
  "the identity token is not valid here; show a fresh code":
    "Ten kod identyfikacyjny jest tu nieważny: pokaż nowy kod.",
  "the identity token has expired; show a fresh code": "Kod identyfikacyjny wygasł: pokaż nowy kod.",
  "this identity token was used already; show a fresh code":
    "Ten kod identyfikacyjny został już użyty: pokaż nowy kod.",
  "the programme has no tiers": "Program nie ma poziomów.",
  "a tier floor must end in the future": "Utrzymanie poziomu musi kończyć się w przyszłości.",
  "the hold cannot reserve all that was selected": "Nie można zarezerwować wszystkiego, co wybrano.",
  "wrong code: no attempts left; the hold was released: place a new hold to send a new code":
    "Błędny kod i nie zostało już prób: rezerwację zwolniono. Złóż nową rezerwację, aby wysłać nowy kod.",
  "this idempotencyKey was used before for another adjustment; send a changed adjustment under a new key":
    "Ten klucz idempotencji (idempotencyKey) użyto już dla innej korekty: wyślij zmienioną korektę z nowym kluczem.",
  "this account was merged into another account; sign in with that one":
    "To konto połączono z innym kontem: zaloguj się na tamto.",
  "the customer with this phone number has a checkout in progress at a till; try again in a few minutes":
    "Klient z tym numerem telefonu płaci właśnie przy kasie: spróbuj ponownie za kilka minut.",
  "an analyst key can save SQL segments; definitions need an admin key":
    "Klucz analityka zapisuje tylko segmenty SQL; segment z definicji wymaga klucza administratora.",
  "an analyst key can change SQL segments only": "Klucz analityka może zmieniać tylko segmenty SQL.",
  "an analyst can change only the SQL segments they created; ask an admin":
    "Analityk może zmieniać tylko segmenty SQL, które sam utworzył: poproś administratora.",
  "an analyst key cannot pause or resume a segment; an admin can":
    "Klucz analityka nie może wstrzymać ani wznowić segmentu; może to zrobić administrator.",
  "the broadcast's schedule has no run after now": "Harmonogram wysyłki nie ma już żadnego terminu po tej chwili.",
  "the programme kept changing underneath this edit; load it again and retry":
    "Program zmieniał się w trakcie tej edycji: wczytaj go ponownie i spróbuj jeszcze raz.",
  "the e-mail address or the password is wrong": "Nieprawidłowy adres e-mail lub hasło.",
  "this e-mail address already belongs to a staff account": "Ten adres e-mail należy już do konta personelu.",
  "this is the tenant's last owner; make someone else an owner first":
    "To ostatni właściciel: najpierw nadaj rolę właściciela komuś innemu.",
};

/** A campaign's or a hold's state (both feminine in Polish: kampania, rezerwacja). */
const polishStates: Record<string, string> = {
  draft: "szkicem",
  scheduled: "zaplanowana",
  active: "aktywna",
  paused: "wstrzymana",
  archived: "zarchiwizowana",
  held: "aktywna",
  committed: "zatwierdzona",
  released: "zwolniona",
  voided: "anulowana",
  expired: "wygasła",
};
const state = (s: string) => polishStates[s] ?? s;
/** A state's name, as the campaign list shows it ("szkic", not the "szkicem" of "jest szkicem"). */
const stateName = (s: string) => (s === "draft" ? "szkic" : state(s));

const polishCodeKinds: Record<string, string> = {
  unique: "unikalne",
  generic: "jeden dla wszystkich",
  imported: "zaimportowane",
};
const codeKind = (k: string) => polishCodeKinds[k] ?? k;

/** An instant the server gives as ISO 8601, on the page's clock; anything else as it came. */
function when(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat("pl-PL", { dateStyle: "medium", timeStyle: "short" }).format(at);
}

/** A figure the server wrote in English ("4,586") as a Polish reader writes it ("4586", "110 075"). */
const figure = (en: string) => new Intl.NumberFormat("pl-PL").format(Number(en.replaceAll(",", "")));
const unguessable = "(jeden kod na 1 000 000 kombinacji, by kodów nie dało się odgadnąć)";

const programmeParts: Record<string, string> = { rule: "reguły", "stamp card": "karty pieczątek", reward: "nagrody" };
const endpoints = { one: "punkt", few: "punkty", many: "punktów" };

/**
 * Domain refusals that name things (ids, states, counts): the names are kept as the server said them. Each
 * pattern is the server's template with its blanks as groups, so a changed template falls back to the code's words.
 */
const polishOfDomainPattern: [RegExp, (...parts: string[]) => string][] = [
  [/^no customer (\S+?)(?: in this tenant)?$/, (id) => `Nie znaleziono klienta ${id}.`],
  [/^no customer (\S+): their personal data was erased$/, (id) => `Nie znaleziono klienta ${id}: jego dane usunięto.`],
  [/^no campaign (\S+)$/, (id) => `Nie znaleziono kampanii ${id}.`],
  [/^campaign (\S+) has no version (\d+)$/, (id, v) => `Kampania ${id} nie ma wersji ${v}.`],
  [
    /^campaign (\S+) is (\w+); it can no longer change$/,
    (id, s) => `Kampania ${id} jest ${state(s)}: nie można jej już zmienić.`,
  ],
  [
    /^an? (\w+) campaign cannot become (\w+)$/,
    (a, b) => `Kampania nie może przejść ze stanu „${stateName(a)}” w stan „${stateName(b)}”.`,
  ],
  [
    /^only a broadcast is scheduled; a (\S+) campaign is activated$/,
    (type) => `Planuje się tylko wysyłkę do odbiorców; kampanię typu ${type} się aktywuje.`,
  ],
  [/^no message template (\S+)$/, (id) => `Nie znaleziono szablonu wiadomości ${id}.`],
  [/^message template (\S+) is archived$/, (id) => `Szablon wiadomości ${id} jest zarchiwizowany.`],
  [
    /^message template (\S+) is sent by campaigns (.+)$/,
    (id, c) => `Szablon wiadomości ${id} wysyłają kampanie: ${c}.`,
  ],
  [/^template (\S+) has no variants$/, (id) => `Szablon ${id} nie ma wariantów.`],
  [/^no coupon campaign (\S+) in this tenant$/, (id) => `Nie znaleziono kampanii kuponowej ${id}.`],
  [
    /^campaign (\S+) has (\w+) codes; only a campaign with (\w+) codes can .+$/,
    (id, has, needs) =>
      `Kampania ${id} ma kody: ${codeKind(has)}; to może zrobić tylko kampania z kodami: ${codeKind(needs)}.`,
  ],
  [
    /^the code (\S+) is already used by another coupon campaign of this tenant$/,
    (code) => `Kod ${code} jest już używany przez inną kampanię kuponową.`,
  ],
  [
    /^coupon campaign (\S+) is paused; resume it to issue coupons$/,
    (id) => `Kampania kuponowa ${id} jest wstrzymana: wznów ją, aby wydawać kupony.`,
  ],
  [
    /^coupon campaign (\S+) has imported codes, which its partner hands out; issue a generic or unique campaign$/,
    (id) =>
      `Kampania kuponowa ${id} ma kody zaimportowane, które rozdaje partner: wydaj kupon z kampanii z innymi kodami.`,
  ],
  [/^coupon campaign (\S+) ended at (\S+)$/, (id, at) => `Kampania kuponowa ${id} zakończyła się ${when(at)}.`],
  [
    /^issue key (\S+) already issued campaign (\S+) to customer (\S+)$/,
    (key, c, cu) => `Kluczem ${key} wydano już kupon z kampanii ${c} klientowi ${cu}.`,
  ],
  [
    /^the pattern of campaign (\S+) is full: add X's$/,
    (id) => `Wzorzec kodów kampanii ${id} jest pełny: dodaj znaki X.`,
  ],
  [
    /^pattern (\S+) holds at most ([\d,]+) codes, too few for ([\d,]+): use (\d+) X's, as in (\S+) \(.+\)$/,
    (p, cap, n, x, as) =>
      `Wzór ${p} mieści najwyżej tyle kodów: ${figure(cap)}, za mało na ${figure(n)}. Użyj wzoru z ${x} znakami X, ` +
      `np. ${as} ${unguessable}.`,
  ],
  [
    /^pattern (\S+) holds at most ([\d,]+) codes and the tenant has ([\d,]+) of them already, .+: ([\d,]+) more fit, not ([\d,]+); for more, use (\d+) X's, as in (\S+) \(.+\)$/,
    (p, cap, has, left, n, x, as) =>
      `Wzór ${p} mieści najwyżej tyle kodów: ${figure(cap)}, a istnieje już ${figure(has)} (z dowolnych kampanii ` +
      `i importów): zmieści się jeszcze ${figure(left)}, nie ${figure(n)}. Aby mieć więcej, użyj wzoru z ${x} ` +
      `znakami X, np. ${as} ${unguessable}.`,
  ],
  [
    /^this phone number belongs to another (\w+) account of this brand; sign in with that one$/,
    (kind) => `Ten numer telefonu należy do innego konta tej marki (${kind}): zaloguj się na tamto.`,
  ],
  [/^customer (\S+) was merged into another account already$/, (id) => `Klienta ${id} połączono już z innym kontem.`],
  [
    /^customer (\S+) is being merged again and again; try again$/,
    (id) => `Konto klienta ${id} jest właśnie łączone: spróbuj ponownie.`,
  ],
  [/^the programme has no tier "(.+)"$/, (t) => `Program nie ma poziomu „${t}”.`],
  [/^no hold (\S+)$/, (id) => `Nie znaleziono rezerwacji ${id}.`],
  [
    /^hold (\S+) needs no confirmation: .+$/,
    (id) =>
      `Rezerwacja ${id} nie wymaga potwierdzenia: kodem potwierdza się tylko środki z portfela wydawane przy kasie.`,
  ],
  [
    /^wrong code for hold (\S+), which is confirmed already$/,
    (id) => `Błędny kod; rezerwacja ${id} jest już potwierdzona.`,
  ],
  [
    /^hold (\S+) is (\w+); place a new hold to send a new code$/,
    (id, s) => `Rezerwacja ${id} jest ${state(s)}: złóż nową rezerwację, aby wysłać nowy kod.`,
  ],
  [
    /^the code for hold (\S+) expired at (\S+); the hold was released: place a new hold to send a new code$/,
    (id, at) => `Kod rezerwacji ${id} wygasł ${when(at)}; rezerwację zwolniono: złóż nową, aby wysłać nowy kod.`,
  ],
  [/^wrong code: (\d+) attempts? left$/, (n) => `Błędny kod. Pozostałe próby: ${n}.`],
  [
    /^the hold cannot reserve all that was selected \((.+)\)$/,
    (what) => `Nie można zarezerwować wszystkiego, co wybrano (${what}).`,
  ],
  [
    /^hold (\S+) was committed by its sale; refund the sale instead$/,
    (id) => `Rezerwację ${id} zatwierdziła już jej sprzedaż: zamiast tego zwróć sprzedaż.`,
  ],
  [
    /^the (points|wallet) balance is (-?\d+)(?:, of which (\d+) held by a checkout in progress)?; an adjustment cannot take it below zero$/,
    (unit, balance, held) =>
      `Saldo ${unit === "points" ? "punktów" : "portfela"} wynosi ${balance}` +
      `${held ? `, z czego ${held} rezerwuje trwająca płatność` : ""}; korekta nie może zejść poniżej zera.`,
  ],
  [
    /^this customer was merged into (\S+); erase \1, which erases both$/,
    (id) => `Tego klienta połączono z kontem ${id}: usuń dane konta ${id}, co usunie oba.`,
  ],
  [/^no erasure request (\S+)$/, (id) => `Nie znaleziono wniosku o usunięcie danych ${id}.`],
  [
    /^no transaction (?:with id )?(\S+) is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again$/,
    (id) =>
      `Transakcja ${id} nie jest jeszcze znana; przyjęta przed chwilą może jeszcze nie być widoczna: zapytaj ponownie.`,
  ],
  [/^programme version (\d+) does not exist$/, (v) => `Wersja programu ${v} nie istnieje.`],
  [
    /^the programme has no (rule|stamp card|reward) '(.+)'$/,
    (what, id) => `Program nie ma ${programmeParts[what] ?? what} „${id}”.`,
  ],
  [
    /^version (\d+) took effect at (.+): only a version scheduled for the future can be cancelled\. .+$/,
    (v, at) =>
      `Wersja ${v} obowiązuje od ${at}: anulować można tylko wersję zaplanowaną. Aby cofnąć jej zmiany, wprowadź nową zmianę.`,
  ],
  [
    /^version (\d+) takes effect at (.+), too close to cancel: .+ could be cancelled only before (.+)\. .+$/,
    (v, at, before) =>
      `Wersja ${v} zaczyna obowiązywać ${at}, zbyt niedługo, by ją anulować: można było to zrobić do ${before}, ` +
      "bo sprzedaże z niewielkim wyprzedzeniem zegara mogły już według niej naliczyć punkty. Aby cofnąć jej zmiany, wprowadź nową zmianę.",
  ],
  [
    /^version (\d+), scheduled from (.+), was made after version (\d+) and carries its changes: cancel version \1 first$/,
    (newest, at, v) =>
      `Wersja ${newest}, zaplanowana od ${at}, powstała po wersji ${v} i zawiera jej zmiany: najpierw anuluj wersję ${newest}.`,
  ],
  [/^a segment named (".*") exists already$/, (name) => `Segment o nazwie ${name} już istnieje.`],
  [/^no segment (\S+)$/, (id) => `Nie znaleziono segmentu ${id}.`],
  [/^no tenant (\S+)$/, (id) => `Nie znaleziono najemcy ${id}.`],
  [/^no staff member (\S+)$/, (id) => `Nie znaleziono członka personelu ${id}.`],
  [
    /^you cannot (remove|change the role of) yourself; ask another owner$/,
    (what) => `Nie możesz ${what === "remove" ? "usunąć siebie" : "zmienić własnej roli"}: poproś innego właściciela.`,
  ],
  [/^no key (\S+) in this tenant$/, (id) => `Nie znaleziono klucza ${id}.`],
  [
    /^key (\S+) is already revoked; create a new key instead$/,
    (id) => `Klucz ${id} jest już unieważniony: utwórz nowy klucz.`,
  ],
  [/^no webhook endpoint (\S+)$/, (id) => `Nie znaleziono punktu odbioru ${id}.`],
  [
    /^a tenant may have at most (\d+) webhook endpoints: delete one before adding another$/,
    (n) => `Można mieć najwyżej ${polishCount(Number(n), endpoints)} odbioru: usuń jeden, zanim dodasz kolejny.`,
  ],
  [
    /^endpoint (\S+) is disabled: enable it before replaying$/,
    (id) => `Punkt odbioru ${id} jest wyłączony: włącz go przed ponownym wysłaniem.`,
  ],
  [/^no webhook delivery (\S+)$/, (id) => `Nie znaleziono doręczenia ${id}.`],
  [
    /^an? (.+) key cannot do this; it needs an? (.+) key$/,
    (role, allowed) =>
      `Klucz ${role} nie może tego zrobić: potrzebny jest klucz ${allowed.replaceAll(" or ", " lub ")}.`,
  ],
  [
    /^an? (\w+) cannot do this; only an owner manages staff and API keys$/,
    (role) => `Rola ${role} nie może tego zrobić: personelem i kluczami API zarządza tylko właściciel.`,
  ],
];

/** A domain refusal's sentence in Polish, when it is one the admin or kiosk is known to meet. */
export function polishOfDomainSentence(message: string): string | undefined {
  const known = polishOfDomainText[message];
  if (known) return known;
  for (const [pattern, say] of polishOfDomainPattern) {
    const parts = pattern.exec(message);
    if (parts) return say(...parts.slice(1));
  }
  return undefined;
}

/**
 * Each domain refusal's gist in Polish, for a sentence not known here (a new one, or one built from free text): said
 * first, with the server's own words after it in parentheses, so a Polish reader understands and nothing is lost.
 */
export const polishOfCode: Record<string, string> = {
  unauthorized: "Brak dostępu: klucz API jest nieprawidłowy lub go brakuje.",
  unauthenticated: "Nie jesteś zalogowany albo sesja wygasła: zaloguj się ponownie.",
  forbidden: "Brak uprawnień do tej operacji.",
  not_found: "Nie znaleziono.",
  conflict: "Konflikt z bieżącym stanem: odśwież i spróbuj ponownie.",
  idempotency_conflict: "Ten klucz idempotencji użyto już dla innego żądania.",
  hold_refused: "Nie można zarezerwować wszystkiego, co wybrano.",
  hold_ended: "Ta rezerwacja już się zakończyła.",
  hold_mismatch: "Rezerwacja dotyczy innego koszyka lub innego klienta: anuluj ją i wyceń koszyk ponownie.",
  hold_unconfirmed: "Rezerwacja czeka na kod SMS klienta: potwierdź ją najpierw.",
  unprocessable: "Nie można wykonać tej operacji.",
  token_invalid: "Ten kod identyfikacyjny jest tu nieważny: pokaż nowy kod.",
  token_expired: "Kod identyfikacyjny wygasł: pokaż nowy kod.",
  token_used: "Ten kod identyfikacyjny został już użyty: pokaż nowy kod.",
  confirmation_failed: "Błędny kod potwierdzenia.",
  confirmation_expired: "Kod potwierdzenia wygasł: rezerwację zwolniono.",
  occurred_at_out_of_range: "Czas zdarzenia jest poza dopuszczalnym zakresem.",
  payload_too_large: "Żądanie jest za duże.",
  unsupported_media_type: "Nieobsługiwany format żądania.",
  method_not_allowed: "Ten adres nie obsługuje tej metody żądania.",
};
