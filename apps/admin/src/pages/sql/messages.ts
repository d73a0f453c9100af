import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "SQL console",
  title: "SQL console",
  query: "Query",
  queryHint: "One read-only SELECT over your brand's data. Ctrl+Enter (⌘+Enter on a Mac) runs it.",
  run: "Run",
  running: "Running…",
  refused: "The query was refused",
  results: "Results",
  caption: "Rows the query answered",
  rowCount: "Rows: {{count}}",
  elapsed: "Time: {{seconds}} s",
  noRows: "The query answered no rows.",
  tables: "Tables you may query",
  tablesIntro: "Each holds your brand's rows only; the tenant is implicit, so no tenant_id filter is needed.",
  columns: "Columns of {{table}}",
};

export const messages: Messages<typeof en> = {
  en,
  pl: {
    nav: "Konsola SQL",
    title: "Konsola SQL",
    query: "Zapytanie",
    queryHint:
      "Jedno zapytanie SELECT tylko do odczytu na danych Twojej marki. Ctrl+Enter (⌘+Enter na Macu) je uruchamia.",
    run: "Uruchom",
    running: "Trwa…",
    refused: "Zapytanie zostało odrzucone",
    results: "Wyniki",
    caption: "Wiersze zwrócone przez zapytanie",
    rowCount: "Wiersze: {{count}}",
    elapsed: "Czas: {{seconds}} s",
    noRows: "Zapytanie nie zwróciło żadnych wierszy.",
    tables: "Tabele, do których masz dostęp",
    tablesIntro:
      "Każda zawiera tylko wiersze Twojej marki; najemca jest domyślny, więc filtr tenant_id nie jest potrzebny.",
    columns: "Kolumny tabeli {{table}}",
  },
};
