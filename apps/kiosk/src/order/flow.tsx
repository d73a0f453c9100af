import { useTRPCClient } from "@regulars/web-ui";
import { useCallback, useRef, useState } from "react";
import type { Device } from "../device.ts";
import { CheckoutScreen } from "../screens/checkout.tsx";
import { IdentifyScreen } from "../screens/identify.tsx";
import { MenuScreen } from "../screens/menu.tsx";
import { type Receipt, ReceiptScreen } from "../screens/receipt.tsx";
import { StartScreen } from "../screens/start.tsx";
import { type BasketItem, noSelection, type Selection, type TillCustomer } from "./basket.ts";
import { OrderHeader } from "./header.tsx";
import { IdleGuard } from "./idle.tsx";

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
  const [step, setStep] = useState<Step>("start");
  const [customer, setCustomer] = useState<TillCustomer | null>(null);
  const [items, setItems] = useState<BasketItem[]>([]);
  const [selection, setSelection] = useState<Selection>(noSelection);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  // The hold in force between "pay" and the processed sale: voided if the order is abandoned.
  const hold = useRef<string | null>(null);

  const restart = useCallback(() => {
    const holdId = hold.current;
    hold.current = null;
    // An expired hold is released by the scheduled jobs anyway, so a failed void only delays that.
    if (holdId) void client.checkout.void.mutate({ holdId }).catch(() => {});
    setCustomer(null);
    setItems([]);
    setSelection(noSelection);
    setReceipt(null);
    setStep("start");
  }, [client]);

  const header = <OrderHeader tenantName={kiosk.tenantName} customer={customer} onCancel={restart} />;
  return (
    <div className="flex min-h-screen flex-col bg-white text-2xl text-slate-900">
      <IdleGuard active={step !== "start"} onIdle={restart} />
      {step === "start" && (
        <StartScreen
          tenantName={kiosk.tenantName}
          onIdentify={() => setStep("identify")}
          onGuest={() => setStep("menu")}
          onReset={onReset}
        />
      )}
      {step === "identify" && (
        <>
          {header}
          <IdentifyScreen
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
            onHold={(holdId) => {
              hold.current = holdId;
            }}
            onPaid={(paid) => {
              hold.current = null;
              setReceipt(paid);
              setStep("receipt");
            }}
          />
        </>
      )}
      {step === "receipt" && receipt && <ReceiptScreen receipt={receipt} customer={customer} onDone={restart} />}
    </div>
  );
}
