import { describeError, useTRPC, useTRPCClient } from "@regulars/web-ui";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { Receipt } from "../screens/receipt.tsx";
import type { Quote, Selection } from "./basket.ts";
import { HoldRefused, reserve, SaleRejected, SaleUnconfirmed, saleOf, sendSale, waitForOutcome } from "./pay.ts";
import { RECEIVED_PATIENCE_MS } from "./sending.ts";
import type { PayStage, Visits } from "./visit.ts";

type Client = ReturnType<typeof useTRPCClient>;
type QuoteRequest = Parameters<Client["checkout"]["quote"]["query"]>[0];

export type PayFailure =
  | { kind: "refused"; issues: { path: string; message: string }[] }
  | { kind: "rejected"; code: string }
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
    let holdId: string | null = null;
    try {
      setStage("holding");
      const reserved = await reserve(client, request, selection, quote);
      holdId = reserved.holdId;
      if (!live()) {
        // The kiosk was cleared while the hold was being made: nobody will pay with it.
        if (holdId) await client.checkout.void.mutate({ holdId }).catch(() => {});
        return;
      }
      hooks.onHold(holdId);
      const sale = saleOf(request, reserved.quote, holdId);
      setExternalId(sale.externalId);
      setStage("posting");
      await sendSale(gateway.url, gateway.apiKey, sale);
      // The sale commits the hold now, even if the ledger refuses it later: cancelling must not void it.
      holdId = null;
      if (!live()) return;
      hooks.onHold(null);
      setStage("received");
      const processed = await waitForOutcome(client, sale.externalId, live);
      if (!processed || !live()) return;
      // The sale moved the customer's tier standing: the receipt must not show the one read before it.
      await queryClient.invalidateQueries({ queryKey: trpc.customers.tier.queryKey() });
      if (live()) hooks.onPaid({ processed, quote: reserved.quote });
    } catch (err) {
      if (err instanceof SaleUnconfirmed) {
        // It may be stored and name the hold: voiding would keep the discount and spend nothing.
        if (live()) {
          hooks.onHold(null);
          setStage("unconfirmed");
        }
        return;
      }
      // A hold the sale never reached would keep the points and coupon from the customer until it expires.
      if (holdId) await client.checkout.void.mutate({ holdId }).catch(() => {});
      if (!live()) return;
      hooks.onHold(null);
      setStage("choosing");
      await queryClient.invalidateQueries({ queryKey: trpc.checkout.quote.queryKey() });
      setFailure(
        err instanceof HoldRefused
          ? { kind: "refused", issues: err.issues }
          : err instanceof SaleRejected
            ? { kind: "rejected", code: err.code }
            : { kind: "failed", message: describeError(err) },
      );
    }
  }

  return { stage, failure, externalId, pay, clearFailure: () => setFailure(null) };
}
