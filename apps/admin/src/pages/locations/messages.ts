import type { Messages } from "@regulars/web-ui";

const en = {
  nav: "Locations",
  title: "Locations",
  about: "What a location's time zone changes",
  intro:
    "A location's time zone is the clock of its tills. Tills name their location by id (locationId); a location not listed here, or one without a zone of its own, keeps the tenant's zone ({{zone}}).",
  followsLocation:
    "The location's zone decides what happens at its tills: weekday and hour multipliers, the birthday multiplier, the weekdays and hours of coupons, and the local delivery time of messages a sale there triggers.",
  followsTenant:
    "The tenant's zone stays in charge of each customer's own periods, wherever they shop: daily caps, tier years, expiry dates of points and reporting days.",
  newLocation: "Add a location",
  editLocation: "Edit location {{id}}",
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
  caption: "Configured locations, by id",
  updatedAt: "Last changed",
  actions: "Actions",
  edit: "Edit",
  editOf: "Edit {{id}}",
  noName: "No name",
  zoneNow: "{{zone}} ({{offset}} now)",
  tenantZone: "Tenant's zone ({{zone}})",
  empty: "No location has settings of its own yet: every till uses the tenant's zone.",
};

export const messages: Messages<typeof en> = {
  en,
  pl: {
    nav: "Lokalizacje",
    title: "Lokalizacje",
    about: "Co zmienia strefa czasowa lokalizacji",
    intro:
      "Strefa czasowa lokalizacji to zegar jej kas. Kasy podają swoją lokalizację przez id (locationId); lokalizacja, której tu nie ma albo która nie ma własnej strefy, korzysta ze strefy najemcy ({{zone}}).",
    followsLocation:
      "Strefa lokalizacji decyduje o tym, co dzieje się przy jej kasach: mnożniki dni tygodnia i godzin, mnożnik urodzinowy, dni i godziny kuponów oraz lokalna pora wysyłki wiadomości wywołanych sprzedażą w tym miejscu.",
    followsTenant:
      "Strefa najemcy pozostaje miarą okresów samego klienta, gdziekolwiek robi zakupy: dziennych limitów, lat poziomów, dat wygaśnięcia punktów i dni w raportach.",
    newLocation: "Dodaj lokalizację",
    editLocation: "Edycja lokalizacji {{id}}",
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
    caption: "Skonfigurowane lokalizacje, według id",
    updatedAt: "Ostatnia zmiana",
    actions: "Działania",
    edit: "Edytuj",
    editOf: "Edytuj {{id}}",
    noName: "Bez nazwy",
    zoneNow: "{{zone}} (teraz {{offset}})",
    tenantZone: "Strefa najemcy ({{zone}})",
    empty: "Żadna lokalizacja nie ma jeszcze własnych ustawień: wszystkie kasy korzystają ze strefy najemcy.",
  },
};
