import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "Dead letters",
  title: "Refused transactions",
  intro:
    "Transactions the pipeline accepted and then refused: the ledger rejected them, or gave up on them after retries. " +
    "The integrator reads the same reason from the transaction's status.",
  reason: "Reason",
  allReasons: "All reasons",
  caption: "Refused transactions, newest first",
  when: "When",
  externalId: "External id",
  code: "Reason code",
  message: "Message",
  more: "Older entries",
  empty: "Nothing was refused.",
  codes: {
    unknown_customer: "Unknown customer",
    refund_of_refund: "Refund of a refund",
    refunded_sale_not_found: "Refunded sale not found",
    refund_exceeds_sale: "Refund exceeds the sale",
    refund_line_not_in_sale: "Refunded line not in the sale",
    hold_used: "Checkout hold used by another sale",
    hold_ended: "Checkout hold released, expired or unknown",
    idempotency_conflict: "Same externalId, different body",
    contract_violation: "Malformed message",
    processing_failed: "Processing failed",
  },
};

export const messages: Messages<typeof en> = {
  en,
  pl: {
    nav: "Odrzucone",
    title: "Odrzucone transakcje",
    intro:
      "Transakcje, które system przyjął, a potem odrzucił: księga je odrzuciła albo zrezygnowała z nich po ponownych próbach. " +
      "Integrator odczyta ten sam powód ze stanu transakcji.",
    reason: "Powód",
    allReasons: "Wszystkie powody",
    caption: "Odrzucone transakcje, od najnowszych",
    when: "Kiedy",
    externalId: "Identyfikator zewnętrzny",
    code: "Kod powodu",
    message: "Opis",
    more: "Starsze wpisy",
    empty: "Nic nie zostało odrzucone.",
    codes: {
      unknown_customer: "Nieznany klient",
      refund_of_refund: "Zwrot zwrotu",
      refunded_sale_not_found: "Nie znaleziono zwracanej sprzedaży",
      refund_exceeds_sale: "Zwrot przekracza sprzedaż",
      refund_line_not_in_sale: "Zwracanej pozycji nie ma w sprzedaży",
      hold_used: "Blokada koszyka użyta przez inną sprzedaż",
      hold_ended: "Blokada koszyka zwolniona, wygasła lub nieznana",
      idempotency_conflict: "Ten sam externalId, inna treść",
      contract_violation: "Błędny komunikat",
      processing_failed: "Przetwarzanie nie powiodło się",
    },
  },
};
