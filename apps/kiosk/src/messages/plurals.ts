/**
 * A message that counts something has a form per plural category, picked by i18next from `count`: English needs
 * `_one` and `_other`, Polish adds `_few` ("2 punkty") and `_many` ("5 punktów"). This widens English's message
 * shape by Polish's extra forms of the keys `K`.
 */
export type WithPolishPlurals<T, K extends string> = T & Record<`${K}_few` | `${K}_many`, string>;
