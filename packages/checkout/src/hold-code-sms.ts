/** What the SMS confirming wallet cash spent at a till says: the code, the brand, the amount and how long it lasts. */
export interface HoldCodeSms {
  code: string;
  brand: string;
  /** Wallet cash in minor units, in `currency`. */
  amount: number;
  currency: string;
  minutes: number;
}

type Wording = (sms: HoldCodeSms, amount: string) => string;

/**
 * The code's text in the languages a chain is likely to run in. It is a system notice, not a campaign: no tenant
 * writes a template for it, so it is worded here, short enough for two SMS parts with the accented letters that
 * force UCS-2. Minutes are abbreviated where the plural would need a grammar of its own.
 */
const wordings: Record<string, Wording> = {
  en: ({ code, brand, minutes }, amount) =>
    `${code} is your ${brand} code to pay ${amount} from your wallet. ` +
    `It expires in ${minutes} minute${minutes === 1 ? "" : "s"}. Never share it.`,
  pl: ({ code, brand, minutes }, amount) =>
    `${code} to Twój kod ${brand} do zapłaty ${amount} z portfela. Wygasa za ${minutes} min. Nie podawaj go nikomu.`,
  de: ({ code, brand, minutes }, amount) =>
    `${code} ist dein ${brand}-Code, um ${amount} mit deinem Guthaben zu bezahlen. ` +
    `Gültig für ${minutes} Min. Gib ihn niemals weiter.`,
  fr: ({ code, brand, minutes }, amount) =>
    `${code} est votre code ${brand} pour payer ${amount} avec votre cagnotte. ` +
    `Il expire dans ${minutes} min. Ne le communiquez jamais.`,
  es: ({ code, brand, minutes }, amount) =>
    `${code} es tu código de ${brand} para pagar ${amount} con tu monedero. ` +
    `Caduca en ${minutes} min. No lo compartas nunca.`,
  it: ({ code, brand, minutes }, amount) =>
    `${code} è il tuo codice ${brand} per pagare ${amount} con il tuo borsellino. ` +
    `Scade tra ${minutes} min. Non condividerlo mai.`,
  nl: ({ code, brand, minutes }, amount) =>
    `${code} is je ${brand}-code om ${amount} met je tegoed te betalen. Verloopt over ${minutes} min. Deel hem nooit.`,
  pt: ({ code, brand, minutes }, amount) =>
    `${code} é o seu código ${brand} para pagar ${amount} com a sua carteira. ` +
    `Expira em ${minutes} min. Não o partilhe com ninguém.`,
};

/** The languages the code's SMS is written in; any other falls back to the tenant's, then English. */
export const holdCodeLanguages = Object.keys(wordings);

const primary = (tag: string) => tag.split("-")[0]!.toLowerCase();
// Own keys only: a profile's language is the customer's own text, and `constructor` is in every object.
const wordingOf = (tag: string): Wording | undefined =>
  Object.hasOwn(wordings, primary(tag)) ? wordings[primary(tag)] : undefined;

/**
 * The language the code goes out in: the customer's own (their profile's `language`), else the tenant's, else
 * English. A regional tag (`pt-BR`) uses its language's wording and its own money format.
 */
export function holdCodeLanguage(customer: string | null | undefined, tenant: string | null | undefined): string {
  for (const tag of [customer, tenant]) if (tag && wordingOf(tag)) return tag;
  return "en";
}

const moneyFormat = (language: string, currency: string): Intl.NumberFormat => {
  try {
    return new Intl.NumberFormat(language, { style: "currency", currency });
  } catch {
    // A tag Intl refuses (it passed our looser check) still gets its words; the amount is then written in English.
    return new Intl.NumberFormat("en", { style: "currency", currency });
  }
};

/** The text of the SMS carrying a hold's code, in `language` (see `holdCodeLanguage`), the amount in its format. */
export function holdCodeSmsText(sms: HoldCodeSms, language: string): string {
  const wording = wordingOf(language) ?? wordings.en!;
  const format = moneyFormat(language, sms.currency);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  // Intl puts no-break spaces in "12,50 €": outside the GSM alphabet, one of them would make the whole SMS UCS-2.
  return wording(sms, format.format(sms.amount / 10 ** digits).replace(/[\u00a0\u202f]/g, " "));
}
