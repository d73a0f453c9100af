/** Names of the seeds' market (Poland) and a few others: demo customers should look like a brand's real list. */
export const firstNames = [
  "Anna",
  "Piotr",
  "Katarzyna",
  "Krzysztof",
  "Magdalena",
  "Tomasz",
  "Agnieszka",
  "Paweł",
  "Joanna",
  "Michał",
  "Aleksandra",
  "Marcin",
  "Monika",
  "Jakub",
  "Ewa",
  "Łukasz",
  "Natalia",
  "Kamil",
  "Zofia",
  "Mateusz",
  "Julia",
  "Adam",
  "Emma",
  "Oliver",
  "Sofia",
  "Lucas",
  "Maja",
  "Jan",
  "Hanna",
  "Szymon",
] as const;

export const lastNames = [
  "Nowak",
  "Kowalski",
  "Wiśniewski",
  "Wójcik",
  "Kowalczyk",
  "Kamiński",
  "Lewandowski",
  "Zieliński",
  "Szymański",
  "Woźniak",
  "Dąbrowski",
  "Kozłowski",
  "Jankowski",
  "Mazur",
  "Kwiatkowski",
  "Krawczyk",
  "Piotrowski",
  "Grabowski",
  "Smith",
  "Müller",
  "García",
  "Rossi",
  "Novák",
  "Horvat",
] as const;

/** ASCII for the local part of an e-mail address: "Łukasz Wiśniewski" → "lukasz.wisniewski". */
export function emailLocalPart(first: string, last: string): string {
  const ascii = (s: string) =>
    s
      .replace(/ł/g, "l")
      .replace(/Ł/g, "L")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  return `${ascii(first)}.${ascii(last)}`;
}
