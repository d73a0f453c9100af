import type { TransactionLine, TransactionMessage } from "@regulars/contracts";
import type { StampLine } from "@regulars/rules";

/**
 * The sale with the wallet cash in each line's discount marked (`walletPaid`, never above the discount). Points earn
 * on what is left to pay ("What earns" excludes wallet cash); stamp cards count the wallet cash as paid too, as it is
 * the customer's own money, given back by a refund as a card payment is. The mark rides on the lines `planSale` hands
 * to the stamp cards as they are, and is not stored: the sale's lines are stored as posted.
 */
export function withWalletPaid(m: TransactionMessage, walletByLine: readonly number[] | null): TransactionMessage {
  if (!walletByLine?.some((w) => w > 0)) return m;
  const lines = m.transaction.lines.map((l, i): TransactionLine & StampLine => ({
    ...l,
    walletPaid: Math.min(l.discount, walletByLine[i] ?? 0),
  }));
  return { ...m, transaction: { ...m.transaction, lines } };
}
