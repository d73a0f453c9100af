import { describeError, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { Receipt } from "../screens/receipt.tsx";
import type { Quote, Selection } from "./basket.ts";
import {
  HoldRefused,
  HoldTimedOut,
  PriceChanged,
  reserve,
  SaleRejected,
  SaleUnconfirmed,
  saleOf,
  sendSale,
  voidHold,
  waitForOutcome,
} from "./pay.ts";
import { RECEIVED_PATIENCE_MS } from "./sending.ts";
import { afterShortfall, type PayShortfall, type PayStage, type Visits } from "./visit.ts";

type Client = ReturnType<typeof useTRPCClient>;
type QuoteRequest = Parameters<Client["checkout"]["quote"]["query"]>[0];

export type PayFailure =
  /** `sent`: what the hold was asked for, which the issues' paths index. */
  | { kind: "refused"; issues: { path: string; message: string }[]; sent: Selection }
  /** The hold priced otherwise than the button said (something changed since the quote): asked again, not held. */
  | { kind: "priceChanged"; total: number }
  | { kind: "rejected"; code: string }
  | { kind: "holdTimedOut" }
  | { kind: "failed"; message: string };

export interface PaymentHooks {
  visits: Visits;
  /** The hold in force until the sale names it: the order flow voids it if the visit ends first. */
  onHold: (holdId: string | null) => void;
  onStage: (stage: PayStage) => void;
  onPaid: (receipt: Receipt) => void;
}

/**
 * Hold, post, wait for the ledger: the stages a customer sees. Once the gateway stored the sale the order never
 * goes back to choosing (paying again would post a second sale); everything that returns after the visit ended
 * (cancel, idle reset) is dropped, and a hold it brings back is voided.
 */
export function usePayment(gateway: { url: string; apiKey: string }, hooks: PaymentHooks) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [stage, setStageState] = useState<PayStage>("choosing");
  const [failure, setFailure] = useState<PayFailure | null>(null);
  const [externalId, setExternalId] = useState<string | null>(null);
  const latest = useRef(hooks);
  latest.current = hooks;
  const setStage = (next: PayStage) => {
    setStageState(next);
    latest.current.onStage(next);
  };

  useEffect(() => {
    if (stage !== "received") return;
    const timer = setTimeout(() => {
      setStageState("receivedSlowly");
      latest.current.onStage("receivedSlowly");
    }, RECEIVED_PATIENCE_MS);
    return () => clearTimeout(timer);
  }, [stage]);

  async function pay(request: QuoteRequest, selection: Selection, quote: Quote) {
    const visit = hooks.visits.current();
    const live = () => hooks.visits.isCurrent(visit);
    setFailure(null);
    // The hold the reservation made, kept after the sale names it: a rejected sale leaves it to be voided.
    let holdId: string | null = null;
    let stored = false;
    try {
      setStage("holding");
      const reserved = await reserve(client, request, selection, quote);
      holdId = reserved.holdId;
      if (!live()) {
        // The kiosk was cleared while the hold was being made: nobody will pay with it.
        if (holdId) await voidHold(client, holdId);
        return;
      }
      hooks.onHold(holdId);
      const sale = saleOf(request, reserved.quote, holdId);
      setExternalId(sale.externalId);
      setStage("posting");
      await sendSale(gateway.url, gateway.apiKey, sale);
      stored = true;
      // The stored sale commits the hold unless the ledger rejects it: cancelling must not void it.
      if (!live()) return;
      hooks.onHold(null);
      setStage("received");
      const processed = await waitForOutcome(client, sale.externalId, live);
      if (!processed || !live()) return;
      // The sale moved the customer's tier standing: the receipt must not show the one read before it.
      await queryClient.invalidateQueries({ queryKey: trpc.customers.tier.queryKey() });
      if (live()) hooks.onPaid({ processed, quote: reserved.quote });
    } catch (err) {
      // Once stored, only the ledger's rejection says the hold stays uncommitted; anything else leaves it open.
      const shortfall = stored && !(err instanceof SaleRejected) ? "unconfirmed" : shortfallOf(err);
      const next = afterShortfall(shortfall);
      if (next.voidHold && holdId) await voidHold(client, holdId);
      if (!live()) return;
      hooks.onHold(null);
      setStage(next.stage);
      if (next.stage === "choosing") await queryClient.invalidateQueries({ queryKey: trpc.checkout.quote.queryKey() });
      setFailure(failureOf(err, shortfall));
    }
  }

  return { stage, failure, externalId, pay, clearFailure: () => setFailure(null) };
}

function shortfallOf(err: unknown): PayShortfall {
  if (err instanceof HoldRefused || err instanceof PriceChanged) return "holdRefused";
  if (err instanceof HoldTimedOut) return "holdTimedOut";
  if (err instanceof SaleUnconfirmed) return "unconfirmed";
  if (err instanceof SaleRejected) return "rejected";
  return "notSent";
}

function failureOf(err: unknown, shortfall: PayShortfall): PayFailure | null {
  if (err instanceof HoldRefused) return { kind: "refused", issues: err.issues, sent: err.selection };
  if (err instanceof PriceChanged) return { kind: "priceChanged", total: err.total };
  if (err instanceof SaleRejected) return { kind: "rejected", code: err.code };
  if (shortfall === "holdTimedOut") return { kind: "holdTimedOut" };
  if (shortfall === "unconfirmed") return null;
  return { kind: "failed", message: describeError(err) };
}
