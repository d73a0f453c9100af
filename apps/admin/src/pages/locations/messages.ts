import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "Locations",
  title: "Locations",
  about: "What a location's time zone changes",
  intro:
    "A location's time zone is the clock of its tills. Tills name their location by id (locationId): every id they sold with in the last {{days}} days is listed here, configured or not. A location without a zone of its own keeps the tenant's zone ({{zone}}).",
  followsLocation:
    "The location's zone decides what happens at its tills: weekday and hour multipliers, the birthday multiplier, the weekdays and hours of coupons, and the local delivery time of messages a sale there triggers.",
  followsTenant:
    "The tenant's zone stays in charge of each customer's own periods, wherever they shop: daily caps, tier years, expiry dates of points and reporting days.",
  newLocation: "Add a location",
  editLocation: "Edit location {{id}}",
  setZoneTitle: "Set the time zone of {{id}}",
  id: "Location id",
  idHint: "The id your tills send as locationId: 1–64 letters, digits, “-” or “_”. It cannot change once saved.",
  idFixed: "The id of a saved location does not change.",
  idTaken: "This location exists already: edit it in the table below.",
  name: "Name",
  nameHint: "Optional: a name people recognise, such as “Fifth Avenue”.",
  timezone: "Time zone",
  timezoneHint: "Offsets are as of now; daylight saving time moves them.",
  tenantZoneChoice: "The tenant's zone ({{zone}})",
  add: "Add location",
  save: "Save changes",
  cancelEdit: "Cancel",
  saved: "Location {{id}} saved.",
  caption: "Locations configured or seen at tills, by id",
  sales: "Sales (last {{days}} days)",
  lastSaleAt: "Last sale",
  noSales: "No sales",
  updatedAt: "Last changed",
  notConfigured: "Not configured",
  actions: "Actions",
  edit: "Edit",
  editOf: "Edit {{id}}",
  setZone: "Set time zone",
  setZoneOf: "Set time zone of {{id}}",
  noName: "No name",
  zoneNow: "{{zone}} ({{offset}} now)",
  tenantZone: "Tenant's zone ({{zone}})",
  empty:
    "No location has settings of its own yet, and no till sold in the last {{days}} days: every till uses the tenant's zone.",
  emptyConfigured: "No location has settings of its own yet: every till uses the tenant's zone.",
  seenUnavailable:
    "Sales at the tills cannot be read just now, so only configured locations are listed, without their sales.",
};

export const messages: Messages<typeof en> = {
  en,
  pl: {
    nav: "Lokalizacje",
    title: "Lokalizacje",
    about: "Co zmienia strefa czasowa lokalizacji",
    intro:
      "Strefa czasowa lokalizacji to zegar jej kas. Kasy podają swoją lokalizację przez id (locationId): każde id, z którym sprzedawały w ostatnich {{days}} dniach, jest tu na liście, skonfigurowane czy nie. Lokalizacja bez własnej strefy korzysta ze strefy najemcy ({{zone}}).",
    followsLocation:
      "Strefa lokalizacji decyduje o tym, co dzieje się przy jej kasach: mnożniki dni tygodnia i godzin, mnożnik urodzinowy, dni i godziny kuponów oraz lokalna pora wysyłki wiadomości wywołanych sprzedażą w tym miejscu.",
    followsTenant:
      "Strefa najemcy pozostaje miarą okresów samego klienta, gdziekolwiek robi zakupy: dziennych limitów, lat poziomów, dat wygaśnięcia punktów i dni w raportach.",
    newLocation: "Dodaj lokalizację",
    editLocation: "Edycja lokalizacji {{id}}",
    setZoneTitle: "Ustaw strefę czasową {{id}}",
    id: "Id lokalizacji",
    idHint:
      "Id, które kasy wysyłają jako locationId: 1–64 litery, cyfry, „-” lub „_”. Po zapisaniu nie można go zmienić.",
    idFixed: "Id zapisanej lokalizacji się nie zmienia.",
    idTaken: "Ta lokalizacja już istnieje: edytuj ją w tabeli poniżej.",
    name: "Nazwa",
    nameHint: "Opcjonalnie: nazwa, którą ludzie rozpoznają, np. „Piąta Aleja”.",
    timezone: "Strefa czasowa",
    timezoneHint: "Przesunięcia według stanu na teraz; czas letni je zmienia.",
    tenantZoneChoice: "Strefa najemcy ({{zone}})",
    add: "Dodaj lokalizację",
    save: "Zapisz zmiany",
    cancelEdit: "Anuluj",
    saved: "Zapisano lokalizację {{id}}.",
    caption: "Lokalizacje skonfigurowane lub widziane przy kasach, według id",
    sales: "Sprzedaże (ostatnie {{days}} dni)",
    lastSaleAt: "Ostatnia sprzedaż",
    noSales: "Brak sprzedaży",
    updatedAt: "Ostatnia zmiana",
    notConfigured: "Nieskonfigurowana",
    actions: "Działania",
    edit: "Edytuj",
    editOf: "Edytuj {{id}}",
    setZone: "Ustaw strefę czasową",
    setZoneOf: "Ustaw strefę czasową {{id}}",
    noName: "Bez nazwy",
    zoneNow: "{{zone}} (teraz {{offset}})",
    tenantZone: "Strefa najemcy ({{zone}})",
    empty:
      "Żadna lokalizacja nie ma jeszcze własnych ustawień, a żadna kasa nie sprzedawała w ostatnich {{days}} dniach: wszystkie kasy korzystają ze strefy najemcy.",
    emptyConfigured: "Żadna lokalizacja nie ma jeszcze własnych ustawień: wszystkie kasy korzystają ze strefy najemcy.",
    seenUnavailable:
      "Sprzedaży przy kasach nie da się teraz odczytać, więc na liście są tylko skonfigurowane lokalizacje, bez ich sprzedaży.",
  },
};
