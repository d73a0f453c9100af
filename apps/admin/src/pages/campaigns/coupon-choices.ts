interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Every item of a list paged by `nextCursor`, in the list's order. `coupons.list` answers at most 100 a page, and a
 * campaign step may give any coupon of the tenant, the oldest too. A page naming the cursor it was asked with again
 * ends the walk, so a list that stops moving cannot keep the builder asking.
 */
export async function allPages<T>(page: (cursor: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (;;) {
    const answer: Page<T> = await page(cursor);
    items.push(...answer.items);
    if (answer.nextCursor === null || answer.nextCursor === cursor) return items;
    cursor = answer.nextCursor;
  }
}

/**
 * The options of a step's coupon select: the listed coupons, and first the step's own coupon when the list lacks it
 * (while the list loads, or an id no coupon of the tenant has), under its name when found and its id otherwise, so a saved step
 * never reads as "Choose a coupon…".
 */
export function couponChoices(
  listed: readonly { id: string; name: string }[],
  chosenId: string,
  chosen: { id: string; name: string } | null,
): { value: string; label: string }[] {
  const options = listed.map((c) => ({ value: c.id, label: c.name }));
  if (chosenId === "" || listed.some((c) => c.id === chosenId)) return options;
  return [{ value: chosenId, label: chosen?.id === chosenId ? chosen.name : chosenId }, ...options];
}
