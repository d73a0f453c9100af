import { Button, describeError, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type BasketItem, basketSubtotal, changeQuantity, type Product } from "../order/basket.ts";
import { Notice, ScreenHeading } from "../ui.tsx";

export function MenuScreen({
  items,
  onChange,
  onCheckout,
}: {
  items: BasketItem[];
  onChange: (items: BasketItem[]) => void;
  onCheckout: () => void;
}) {
  const { t } = useTranslation("menu");
  const trpc = useTRPC();
  const menu = useQuery(trpc.catalog.products.queryOptions({}, { staleTime: 5 * 60_000 }));
  const [chosen, setChosen] = useState<string | null>(null);
  const add = (product: Product) => onChange(changeQuantity(items, product, 1));

  if (menu.error) return <Notice>{describeError(menu.error)}</Notice>;
  if (!menu.data) return <Spinner label={t("loading")} />;
  const category = menu.data.find((c) => c.category === chosen) ?? menu.data[0];

  return (
    // The products and the basket each scroll on their own: the basket's total and Checkout never leave the screen.
    // Landscape puts the basket beside the products, portrait below them.
    <main className="flex min-h-0 flex-1 flex-col gap-8 p-10 short:gap-4 short:px-6 short:py-4 landscape:flex-row">
      <div className="flex min-h-0 min-w-0 flex-1 flex-col gap-8 short:gap-4">
        <ScreenHeading>{t("title")}</ScreenHeading>
        <nav aria-label={t("categories")} className="flex shrink-0 flex-wrap gap-3 short:gap-2">
          {menu.data.map((c) => (
            <Button
              key={c.category}
              size="xl"
              tone={c === category ? "primary" : "secondary"}
              className="min-h-16 border-2 px-6 text-2xl short:min-h-14 short:px-4 short:text-xl"
              aria-pressed={c === category}
              onClick={() => setChosen(c.category)}
            >
              {t(`category.${c.category}`, { defaultValue: c.category })}
            </Button>
          ))}
        </nav>
        {category ? (
          <section aria-labelledby="category-heading" className="flex min-h-0 flex-1 flex-col gap-6 short:gap-3">
            <h2 id="category-heading" className="text-4xl font-semibold short:text-3xl">
              {t(`category.${category.category}`, { defaultValue: category.category })}
            </h2>
            <ul
              className={[
                "grid min-h-0 flex-1 auto-rows-min",
                "grid-cols-[repeat(auto-fill,minmax(13rem,1fr))] gap-6 overflow-y-auto",
                "p-1 short:gap-4",
              ].join(" ")}
            >
              {category.products.map((p) => (
                <li key={p.sku} className="relative">
                  <ProductTile
                    product={p}
                    quantity={items.find((i) => i.product.sku === p.sku)?.quantity ?? 0}
                    onAdd={add}
                  />
                </li>
              ))}
            </ul>
          </section>
        ) : (
          <Notice tone="info">{t("empty")}</Notice>
        )}
      </div>
      <BasketPanel items={items} onChange={onChange} onCheckout={onCheckout} />
    </main>
  );
}

function ProductTile({
  product,
  quantity,
  onAdd,
}: {
  product: Product;
  quantity: number;
  onAdd: (p: Product) => void;
}) {
  const { t } = useTranslation("menu");
  const format = useFormat();
  const price = format.money(product.price);
  return (
    <>
      <button
        type="button"
        onClick={() => onAdd(product)}
        aria-label={
          quantity > 0 ? t("addMore", { name: product.name, price, quantity }) : t("add", { name: product.name, price })
        }
        className={[
          "flex min-h-56 w-full flex-col justify-between rounded-2xl border-2",
          "border-slate-300 bg-white p-6 text-left short:min-h-36 short:p-4",
          "hover:border-emerald-700 focus-visible:outline-4",
          "focus-visible:outline-offset-2 focus-visible:outline-emerald-700",
        ].join(" ")}
      >
        <span className="text-3xl font-semibold short:text-2xl">{product.name}</span>
        <span className="text-3xl text-slate-800 short:text-2xl">{price}</span>
      </button>
      {/* Beside the button, not in it: its name already says how many are in the order. */}
      {quantity > 0 && (
        <span
          aria-hidden
          className={[
            "pointer-events-none absolute right-6 bottom-6 rounded-full",
            "bg-emerald-700 px-4 py-1 text-2xl font-bold text-white short:right-4",
            "short:bottom-4 short:text-xl",
          ].join(" ")}
        >
          {t("inBasket", { quantity })}
        </span>
      )}
    </>
  );
}

function BasketPanel({
  items,
  onChange,
  onCheckout,
}: {
  items: BasketItem[];
  onChange: (items: BasketItem[]) => void;
  onCheckout: () => void;
}) {
  const { t } = useTranslation("menu");
  const format = useFormat();
  return (
    <section
      aria-labelledby="basket-heading"
      className={[
        "flex max-h-[45%] shrink-0 flex-col gap-4 rounded-2xl border-2",
        "border-slate-300 bg-slate-50 p-8 short:gap-2 short:p-4",
        "landscape:max-h-none landscape:w-[42%] landscape:max-w-2xl",
      ].join(" ")}
    >
      <h2 id="basket-heading" className="text-4xl font-semibold short:text-3xl">
        {t("basket")}
      </h2>
      {items.length === 0 ? (
        <p className="text-slate-800">{t("basketEmpty")}</p>
      ) : (
        <ul className="flex min-h-0 flex-1 flex-col gap-3 overflow-y-auto short:gap-2">
          {items.map(({ product, quantity }) => (
            <li key={product.sku} className="flex items-center gap-4 short:gap-2">
              <span className="min-w-0 flex-1 text-2xl break-words short:text-xl">{product.name}</span>
              <Button
                tone="secondary"
                size="xl"
                className="min-h-16 min-w-16 border-2 text-3xl short:min-h-12 short:min-w-12 short:px-3 short:py-0"
                aria-label={t("less", { name: product.name })}
                onClick={() => onChange(changeQuantity(items, product, -1))}
              >
                −
              </Button>
              <span className="w-12 shrink-0 text-center text-3xl font-semibold short:w-8 short:text-2xl">
                {quantity}
              </span>
              <Button
                tone="secondary"
                size="xl"
                className="min-h-16 min-w-16 border-2 text-3xl short:min-h-12 short:min-w-12 short:px-3 short:py-0"
                aria-label={t("more", { name: product.name })}
                onClick={() => onChange(changeQuantity(items, product, 1))}
              >
                +
              </Button>
              <span className="w-40 shrink-0 text-right text-2xl short:w-20 short:text-xl">
                {format.money(product.price * quantity)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div
        className={[
          "mt-auto flex shrink-0 flex-wrap items-center justify-between gap-6",
          "border-t-2 border-slate-300 pt-4 short:gap-3 short:pt-2",
        ].join(" ")}
      >
        <p className="text-3xl font-bold short:text-2xl" aria-live="polite">
          {t("subtotal", { amount: format.money(basketSubtotal(items)) })}
        </p>
        <Button
          size="xl"
          className="min-h-24 min-w-80 flex-1 text-4xl short:min-h-20 short:min-w-56 short:text-3xl"
          disabled={items.length === 0}
          onClick={onCheckout}
        >
          {t("checkout")}
        </Button>
      </div>
    </section>
  );
}
