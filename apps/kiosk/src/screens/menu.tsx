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
    <main className="flex flex-1 flex-col gap-8 p-10">
      <ScreenHeading>{t("title")}</ScreenHeading>
      <nav aria-label={t("categories")} className="flex flex-wrap gap-3">
        {menu.data.map((c) => (
          <Button
            key={c.category}
            size="xl"
            tone={c === category ? "primary" : "secondary"}
            className="min-h-16 border-2 px-6 text-2xl"
            aria-pressed={c === category}
            onClick={() => setChosen(c.category)}
          >
            {t(`category.${c.category}`, { defaultValue: c.category })}
          </Button>
        ))}
      </nav>
      {category ? (
        <section aria-labelledby="category-heading" className="flex flex-col gap-6">
          <h2 id="category-heading" className="text-4xl font-semibold">
            {t(`category.${category.category}`, { defaultValue: category.category })}
          </h2>
          <ul className="grid grid-cols-3 gap-6">
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
        className="flex min-h-56 w-full flex-col justify-between rounded-2xl border-2 border-slate-300 bg-white p-6 text-left hover:border-emerald-700 focus-visible:outline-4 focus-visible:outline-offset-2 focus-visible:outline-emerald-700"
      >
        <span className="text-3xl font-semibold">{product.name}</span>
        <span className="text-3xl text-slate-800">{price}</span>
      </button>
      {/* Beside the button, not in it: its name already says how many are in the order. */}
      {quantity > 0 && (
        <span
          aria-hidden
          className="pointer-events-none absolute right-6 bottom-6 rounded-full bg-emerald-700 px-4 py-1 text-2xl font-bold text-white"
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
      className="mt-auto flex flex-col gap-4 rounded-2xl border-2 border-slate-300 bg-slate-50 p-8"
    >
      <h2 id="basket-heading" className="text-4xl font-semibold">
        {t("basket")}
      </h2>
      {items.length === 0 ? (
        <p className="text-slate-800">{t("basketEmpty")}</p>
      ) : (
        <ul className="flex flex-col gap-3">
          {items.map(({ product, quantity }) => (
            <li key={product.sku} className="flex items-center gap-4">
              <span className="flex-1 text-2xl">{product.name}</span>
              <Button
                tone="secondary"
                size="xl"
                className="min-h-16 min-w-16 border-2 text-3xl"
                aria-label={t("less", { name: product.name })}
                onClick={() => onChange(changeQuantity(items, product, -1))}
              >
                −
              </Button>
              <span className="w-12 text-center text-3xl font-semibold">{quantity}</span>
              <Button
                tone="secondary"
                size="xl"
                className="min-h-16 min-w-16 border-2 text-3xl"
                aria-label={t("more", { name: product.name })}
                onClick={() => onChange(changeQuantity(items, product, 1))}
              >
                +
              </Button>
              <span className="w-40 text-right text-2xl">{format.money(product.price * quantity)}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="flex items-center justify-between gap-6 border-t-2 border-slate-300 pt-4">
        <p className="text-3xl font-bold" aria-live="polite">
          {t("subtotal", { amount: format.money(basketSubtotal(items)) })}
        </p>
        <Button size="xl" className="min-h-24 min-w-80 text-4xl" disabled={items.length === 0} onClick={onCheckout}>
          {t("checkout")}
        </Button>
      </div>
    </section>
  );
}
