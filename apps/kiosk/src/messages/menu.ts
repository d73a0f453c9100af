import type { Messages } from "@regulars/web-ui";

const en = {
  loading: "Loading the menu…",
  title: "Menu",
  categories: "Categories",
  category: {
    burgers: "Burgers",
    wraps: "Wraps",
    sides: "Sides",
    snacks: "Snacks",
    beverages: "Drinks",
    alcohol: "Beer",
    desserts: "Desserts",
  },
  empty: "Nothing on the menu yet.",
  add: "Add {{name}}, {{price}}",
  addMore: "Add {{name}}, {{price}} ({{quantity}} in your order)",
  inBasket: "× {{quantity}}",
  basket: "Your order",
  basketEmpty: "Tap a product to add it.",
  less: "One less {{name}}",
  more: "One more {{name}}",
  subtotal: "Subtotal: {{amount}}",
  checkout: "Checkout",
};

const pl: typeof en = {
  loading: "Ładowanie menu…",
  title: "Menu",
  categories: "Kategorie",
  category: {
    burgers: "Burgery",
    wraps: "Wrapy",
    sides: "Dodatki",
    snacks: "Przekąski",
    beverages: "Napoje",
    alcohol: "Piwo",
    desserts: "Desery",
  },
  empty: "W menu nic jeszcze nie ma.",
  add: "Dodaj: {{name}}, {{price}}",
  addMore: "Dodaj: {{name}}, {{price}} (w zamówieniu: {{quantity}})",
  inBasket: "× {{quantity}}",
  basket: "Twoje zamówienie",
  basketEmpty: "Dotknij produktu, aby go dodać.",
  less: "Jeden mniej: {{name}}",
  more: "Jeden więcej: {{name}}",
  subtotal: "Razem: {{amount}}",
  checkout: "Do kasy",
};

export const menuMessages: Messages<typeof en> = { en, pl };
