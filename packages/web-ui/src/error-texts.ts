import { polishOfCode, polishOfDomainSentence } from "./domain-texts.ts";
import type { Language } from "./i18n.tsx";
import { polishCount } from "./polish-count.ts";

/** One refused field as the API answers it: `code` and `params` are absent from older servers and domain checks. */
export interface ApiIssue {
  path: string;
  message: string;
  code?: string;
  params?: {
    origin?: string;
    minimum?: number | string;
    maximum?: number | string;
    inclusive?: boolean;
    exact?: boolean;
    format?: string;
    expected?: string;
    values?: (string | number | boolean | null)[];
    divisor?: number | string;
  };
}

/**
 * The server's own words that no code describes (refinements, domain checks) and its stock words for common
 * refusals, in Polish. Keyed by the English text, which is stable: tests of the procedures pin it.
 */
const polishOfServerText: Record<string, string> = {
  required: "pole wymagane",
  "must not be empty": "nie może być puste",
  "is invalid": "jest nieprawidłowe",
  "has an invalid format": "ma nieprawidłowy format",
  "must be a finite number": "musi być liczbą",
  "must be a whole number": "musi być liczbą całkowitą",
  "must not be zero": "nie może być zerem",
  "is implausibly large": "jest nieprawdopodobnie duże",
  "already in use": "jest już używane",
  "subscribe to at least one event type": "wybierz co najmniej jeden typ zdarzeń",
  "must be after validFrom": "musi być późniejsze niż początek ważności",
  "must be later than validFrom": "musi być późniejsze niż początek ważności",
  "one level must have threshold 0 (the entry tier)": "jeden poziom musi mieć próg 0 (poziom wejściowy)",
  "tier ids must be unique": "identyfikatory poziomów muszą być unikalne",
  "each weekday once": "każdy dzień tygodnia tylko raz",
  "each source once": "każde źródło tylko raz",
  "start and end must differ": "początek i koniec muszą się różnić",
  "name at least one sku, category or tag": "podaj co najmniej jeden SKU, kategorię lub tag",
  "a reward gives a discount": "nagroda musi dawać rabat",
  "send either codes or csvLines": "podaj kody albo plik CSV, nie oba",
  "give a definition or sql": "podaj definicję albo zapytanie SQL",
  "give a definition or sql, not both": "podaj definicję albo zapytanie SQL, nie oba",
  "must be 1900-01-01 or later": "musi być nie wcześniej niż 1900-01-01",
};

/** Bounds said in words by older servers, whose adjustment floor carried no code (it now says `too_small`). */
const polishOfServerPattern: [RegExp, (n: string) => string][] = [
  [/^must be at least (-?\d+(?:\.\d+)?)$/, (n) => `musi wynosić co najmniej ${n}`],
  [/^must be at most (-?\d+(?:\.\d+)?)$/, (n) => `musi wynosić najwyżej ${n}`],
];

function polishOfText(message: string): string | undefined {
  const known = polishOfServerText[message];
  if (known) return known;
  for (const [pattern, say] of polishOfServerPattern) {
    const n = pattern.exec(message)?.[1];
    if (n !== undefined) return say(new Intl.NumberFormat("pl-PL").format(Number(n)));
  }
  return polishOfDomainSentence(message);
}

const polishFormats: Record<string, string> = {
  email: "musi być adresem e-mail",
  url: "musi być adresem URL",
  datetime: "musi być datą z godziną",
  date: "musi być datą (RRRR-MM-DD)",
  time: "musi być godziną (GG:MM:SS)",
  uuid: "musi być identyfikatorem UUID",
  e164: "musi być numerem telefonu w formacie międzynarodowym, np. +48600100200",
};

const polishTypes: Record<string, string> = {
  string: "musi być tekstem",
  number: "musi być liczbą",
  int: "musi być liczbą całkowitą",
  bigint: "musi być liczbą całkowitą",
  boolean: "musi być tak albo nie",
  date: "musi być datą",
  array: "musi być listą",
  object: "musi być obiektem",
};

const characters = { one: "znak", few: "znaki", many: "znaków" };
const items = { one: "element", few: "elementy", many: "elementów" };

function polishBound(issue: ApiIssue, atLeast: boolean): string | undefined {
  const p = issue.params ?? {};
  const raw = atLeast ? p.minimum : p.maximum;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const strict = p.inclusive === false;
  switch (p.origin) {
    case "string":
    case "array":
    case "set": {
      if (atLeast && n === 1 && !p.exact && !strict) return "nie może być puste";
      const noun = p.origin === "string" ? characters : items;
      const how = p.exact
        ? "dokładnie"
        : atLeast
          ? strict
            ? "więcej niż"
            : "co najmniej"
          : strict
            ? "mniej niż"
            : "najwyżej";
      return `musi mieć ${how} ${polishCount(n, noun)}`;
    }
    case "number":
    case "bigint": {
      const shown = new Intl.NumberFormat("pl-PL").format(n);
      if (p.exact) return `musi wynosić dokładnie ${shown}`;
      if (strict) return `musi być ${atLeast ? "większe" : "mniejsze"} niż ${shown}`;
      return `musi wynosić ${atLeast ? "co najmniej" : "najwyżej"} ${shown}`;
    }
    case "date": {
      const when = new Date(String(raw));
      const shown = Number.isNaN(when.getTime())
        ? String(raw)
        : new Intl.DateTimeFormat("pl-PL", { dateStyle: "medium", timeStyle: "short" }).format(when);
      return `musi być ${atLeast ? "nie wcześniej" : "nie później"} niż ${shown}`;
    }
    default:
      return undefined;
  }
}

const listed = (values: ReadonlyArray<unknown>) =>
  values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");

function polishByCode(issue: ApiIssue): string | undefined {
  const p = issue.params ?? {};
  switch (issue.code) {
    case "too_small":
      return polishBound(issue, true);
    case "too_big":
      return polishBound(issue, false);
    case "invalid_format":
      return (p.format && polishFormats[p.format]) || "ma nieprawidłowy format";
    case "invalid_type":
      return p.expected ? polishTypes[p.expected] : undefined;
    case "invalid_value":
      if (!p.values?.length) return undefined;
      return p.values.length === 1 ? `musi być ${listed(p.values)}` : `musi być jedną z wartości: ${listed(p.values)}`;
    case "not_multiple_of":
      return p.divisor === undefined ? undefined : `musi być wielokrotnością ${p.divisor}`;
    case "unrecognized_keys":
      return "zawiera nieznane pola";
    case "invalid_union":
      return "ma nieprawidłową postać";
    default:
      return undefined;
  }
}

/**
 * What to show beside a refused field, in the page's language. English is the server's own text; Polish is
 * its known text translated, else worded from the issue's code and bounds, else (a code or text not known
 * here) the server's text rather than nothing.
 */
export function issueText(issue: ApiIssue, language: Language): string {
  if (language === "en") return issue.message;
  // Known words first: the server says "required" for a missing field, whatever type it should have had.
  return polishOfText(issue.message) ?? polishByCode(issue) ?? issue.message;
}

/** A top-level message in the page's language: the server's words when they are not known here. */
export function serverText(message: string, language: Language): string {
  return language === "en" ? message : (polishOfText(message) ?? message);
}

/**
 * A refusal's sentence in the page's language: its known words, else its code's gist with the server's words kept
 * beside it, else (a code not known here) the server's words.
 */
export function refusalText(code: string, message: string, language: Language): string {
  if (language === "en") return message;
  const known = polishOfText(message);
  if (known) return known;
  const gist = polishOfCode[code];
  return gist ? `${gist} (${message})` : message;
}

/** The shared pieces' own sentences for failed calls. */
export const failureTexts: Record<
  Language,
  {
    invalidFields: (labels: string[]) => string;
    internal: string;
    unavailable: string;
    rateLimited: string;
    unreachable: string;
    reference: (requestId: string) => string;
  }
> = {
  en: {
    invalidFields: (labels) =>
      labels.length ? `Please correct: ${labels.join(", ")}.` : "Some fields need correcting.",
    internal: "Something went wrong on our side. Try again; if it keeps happening, quote the reference.",
    unavailable: "The service is briefly unavailable. Try again in a moment.",
    rateLimited: "Too many requests. Wait a moment and try again.",
    unreachable: "The server could not be reached. Check the connection and try again.",
    reference: (id) => `(ref. ${id})`,
  },
  pl: {
    invalidFields: (labels) => (labels.length ? `Popraw: ${labels.join(", ")}.` : "Popraw błędnie wypełnione pola."),
    internal:
      "Coś poszło nie tak po naszej stronie. Spróbuj ponownie; jeśli błąd się powtarza, podaj numer referencyjny.",
    unavailable: "Usługa jest chwilowo niedostępna. Spróbuj ponownie za chwilę.",
    rateLimited: "Zbyt wiele żądań. Odczekaj chwilę i spróbuj ponownie.",
    unreachable: "Nie udało się połączyć z serwerem. Sprawdź połączenie i spróbuj ponownie.",
    reference: (id) => `(nr ref. ${id})`,
  },
};
