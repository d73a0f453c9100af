import {
  Alert,
  Button,
  Card,
  describeError,
  fieldErrors,
  type RouterOutputs,
  Spinner,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../ui/fields.tsx";
import { type AdjustKey, adjustKeyFor } from "./adjust-key.ts";
import { Facts } from "./facts.tsx";

type Customer = Extract<RouterOutputs["customers"]["get"], { view: "admin" }>;

/** Balances and the tier, with how far the next tier is ("Only 20 points to Gold"). */
export function LoyaltyCard({ customer }: { customer: Customer }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const tier = useQuery(trpc.customers.tier.queryOptions({ customerId: customer.id }));
  const standing = () => {
    if (tier.error) return <Alert>{describeError(tier.error)}</Alert>;
    if (!tier.data) return <Spinner label={t("common:loading")} />;
    const data = tier.data;
    if (!data.tiersEnabled) return <p className="text-sm text-slate-700">{t("loyalty.noTiers")}</p>;
    // The gap is in the tier basis's unit: points, money spent or orders.
    const gap = data.next && (data.basis === "spend" ? format.money(data.next.gap) : format.number(data.next.gap));
    return (
      <div className="text-sm">
        <p className="text-lg font-semibold text-slate-900">{data.tier.name}</p>
        <p className="text-slate-700">
          {data.next ? t(`loyalty.gap_${data.basis}`, { gap, next: data.next.name }) : t("loyalty.top")}
        </p>
        {data.floor?.active && (
          <p className="text-slate-700">
            {t("loyalty.floor", { tier: data.floor.tier, until: format.date(data.floor.until) })}
          </p>
        )}
      </div>
    );
  };
  return (
    <Card title={t("loyalty.title")}>
      <Facts
        items={[
          { label: t("loyalty.balance"), value: format.number(customer.points.balance) },
          { label: t("loyalty.pending"), value: format.number(customer.points.pending) },
          { label: t("loyalty.held"), value: format.number(customer.points.held) },
          { label: t("loyalty.wallet"), value: format.money(customer.wallet) },
        ]}
      />
      <h3 className="mt-4 mb-1 text-sm font-semibold text-slate-900">{t("loyalty.tier")}</h3>
      {standing()}
    </Card>
  );
}

/** Points added or taken away by hand, with the reason the ledger and the audit log keep. */
export function AdjustForm({ customerId }: { customerId: string }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const lastKey = useRef<AdjustKey | null>(null);
  const adjust = useMutation(
    trpc.customers.adjust.mutationOptions({
      onSuccess: () => {
        lastKey.current = null;
        setAmount("");
        setReason("");
        return queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() });
      },
    }),
  );
  const refused = fieldErrors(adjust.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The server says what is wrong with each field (zero, not whole, no reason); an empty box is zero.
    const values = { customerId, unit: "points" as const, amount: Number(amount || 0), reason };
    lastKey.current = adjustKeyFor(lastKey.current, values);
    adjust.mutate({ ...values, idempotencyKey: lastKey.current.key });
  };
  const fieldError = refused.amount ?? refused.reason;
  return (
    <Card title={t("adjust.title")}>
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <TextField
          label={t("adjust.amount")}
          hint={t("adjust.amountHint")}
          error={refused.amount}
          type="number"
          step={1}
          inputMode="numeric"
          value={amount}
          onChange={setAmount}
        />
        <TextField
          label={t("adjust.reason")}
          hint={t("adjust.reasonHint")}
          error={refused.reason}
          value={reason}
          maxLength={500}
          onChange={setReason}
        />
        {adjust.error && !fieldError && <Alert>{describeError(adjust.error)}</Alert>}
        {adjust.isSuccess && (
          <Alert tone="success">{t("adjust.done", { amount: format.number(adjust.variables.amount) })}</Alert>
        )}
        <div>
          <Button type="submit" disabled={adjust.isPending}>
            {t("adjust.submit")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
