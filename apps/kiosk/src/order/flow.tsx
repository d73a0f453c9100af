import { useTRPCClient } from "@regulars/web-ui";
import { useCallback, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Device } from "../device.ts";
import { CheckoutScreen } from "../screens/checkout.tsx";
import { IdentifyScreen } from "../screens/identify.tsx";
import { MenuScreen } from "../screens/menu.tsx";
import { type Receipt, ReceiptScreen } from "../screens/receipt.tsx";
import { StartScreen } from "../screens/start.tsx";
import { type BasketItem, noSelection, type Selection, type TillCustomer, withPointsBalance } from "./basket.ts";
import { OrderHeader } from "./header.tsx";
import { IdleGuard } from "./idle.tsx";
import type { PaymentHooks } from "./use-payment.ts";
import { blocksLeaving, createVisits, type PayStage } from "./visit.ts";

type Step = "start" | "identify" | "menu" | "checkout" | "receipt";

export interface OrderContext {
  tenantName: string;
  currency: string;
  device: Device;
  gatewayUrl: string;
}

/** One customer's visit, start to receipt; cancelling or walking away clears it and frees what it reserved. */
export function OrderFlow({ onReset, ...kiosk }: OrderContext & { onReset: () => void }) {
  const client = useTRPCClient();
  const { i18n } = useTranslation();
  // The kiosk's own language, back for every new customer: one customer's choice is not the next one's.
  const houseLanguage = useRef(i18n.language);
  const visits = useRef(createVisits()).current;
  const [payStage, setPayStage] = useState<PayStage>("choosing");
  const [step, setStep] = useState<Step>("start");
  const [customer, setCustomer] = useState<TillCustomer | null>(null);
  const [items, setItems] = useState<BasketItem[]>([]);
  const [selection, setSelection] = useState<Selection>(noSelection);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  // The hold in force between "pay" and the processed sale: voided if the order is abandoned.
  const hold = useRef<string | null>(null);

  // The header shows the balance the latest quote or sale read, not the one read at sign-in.
  const onPointsBalance = useCallback((balance: number) => setCustomer((c) => withPointsBalance(c, balance)), []);

  const restart = useCallback(() => {
    // Whatever the last visit still has in flight returns to a visit that is over, and is dropped.
    visits.next();
    const holdId = hold.current;
    hold.current = null;
    // An expired hold is released by the scheduled jobs anyway, so a failed void only delays that.
    if (holdId) void client.checkout.void.mutate({ holdId }).catch(() => {});
    setCustomer(null);
    setItems([]);
    setSelection(noSelection);
    setReceipt(null);
    setPayStage("choosing");
    setStep("start");
    if (i18n.language !== houseLanguage.current) void i18n.changeLanguage(houseLanguage.current);
  }, [client, visits, i18n]);

  const payment = useMemo<PaymentHooks>(
    () => ({
      visits,
      onStage: setPayStage,
      onHold: (holdId) => {
        hold.current = holdId;
      },
      onPaid: (paid) => {
        hold.current = null;
        if (paid.processed.balance) onPointsBalance(paid.processed.balance.points);
        setPayStage("choosing");
        setReceipt(paid);
        setStep("receipt");
      },
    }),
    [visits, onPointsBalance],
  );
  // While the order is being paid for, nobody may clear it: the sale may already be on its way.
  const paying = step === "checkout" && blocksLeaving(payStage);
  const header = (
    <OrderHeader tenantName={kiosk.tenantName} customer={customer} onCancel={restart} cancelDisabled={paying} />
  );
  return (
    // Exactly the window's height: each screen scrolls its own long lists, so the page itself never scrolls and
    // the step's main action stays in reach on a short landscape display.
    <div className="flex h-dvh flex-col overflow-hidden bg-white text-2xl text-slate-900 short:text-xl">
      <IdleGuard active={step !== "start" && !paying} onIdle={restart} />
      {step === "start" && (
        <StartScreen
          tenantName={kiosk.tenantName}
          onIdentify={() => setStep("identify")}
          onGuest={() => setStep("menu")}
          apiKey={kiosk.device.apiKey}
          onReset={onReset}
        />
      )}
      {step === "identify" && (
        <>
          {header}
          <IdentifyScreen
            enrolment={{
              gatewayUrl: kiosk.gatewayUrl,
              apiKey: kiosk.device.apiKey,
              locationId: kiosk.device.locationId,
            }}
            onIdentified={(c) => {
              setCustomer(c);
              setStep("menu");
            }}
            onGuest={() => setStep("menu")}
          />
        </>
      )}
      {step === "menu" && (
        <>
          {header}
          <MenuScreen items={items} onChange={setItems} onCheckout={() => setStep("checkout")} />
        </>
      )}
      {step === "checkout" && (
        <>
          {header}
          <CheckoutScreen
            kiosk={kiosk}
            customer={customer}
            items={items}
            selection={selection}
            onSelect={setSelection}
            onBack={() => setStep("menu")}
            onDone={restart}
            onPointsBalance={onPointsBalance}
            payment={payment}
          />
        </>
      )}
      {step === "receipt" && receipt && <ReceiptScreen receipt={receipt} customer={customer} onDone={restart} />}
    </div>
  );
}
