/** "1 znak", "2 znaki", "5 znaków": Polish nouns take one of three forms after a number. */
export function polishCount(n: number, forms: { one: string; few: string; many: string }): string {
  const rule = new Intl.PluralRules("pl").select(n);
  const noun = rule === "one" ? forms.one : rule === "few" ? forms.few : forms.many;
  return `${new Intl.NumberFormat("pl-PL").format(n)} ${noun}`;
}
