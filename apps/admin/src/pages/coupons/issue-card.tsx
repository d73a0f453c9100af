import { Alert, Button, Card, describeError, useTRPC } from "@regulars/web-ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { customersFound, useCustomerSearch } from "../../ui/customer-search.ts";
import { TextField } from "../../ui/fields.tsx";
import { MoreCustomersButton } from "../../ui/more-customers-button.tsx";

/** Finds a customer and puts a coupon of this campaign into their wallet; more than a page found follow on "More". */
export function IssueCard({ campaignId }: { campaignId: string }) {
  const { t } = useTranslation("coupons");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const found = useCustomerSearch(query, query.length >= 2);
  const customers = customersFound(found.data);
  const issue = useMutation(
    trpc.coupons.issue.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.coupons.stats.queryKey({ id: campaignId }) }),
    }),
  );
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(typed.trim());
  };
  const issuedTo = customers.find((c) => c.id === issue.data?.customerId);
  return (
    <Card title={t("issue.title")}>
      <form noValidate onSubmit={search} className="flex flex-wrap items-end gap-3">
        <TextField label={t("issue.search")} value={typed} onChange={setTyped} hint={t("issue.searchHint")} />
        <Button type="submit" tone="secondary">
          {t("common:search")}
        </Button>
      </form>
      {found.error && <Alert>{describeError(found.error)}</Alert>}
      {found.data && (
        <ul className="mt-3 flex flex-col gap-2" aria-label={t("issue.results")}>
          {customers.map((c) => (
            <li
              key={c.id}
              className="flex items-center justify-between gap-3 rounded-md border border-slate-200 px-3 py-2 text-sm"
            >
              <span className="min-w-0 break-all text-slate-900">
                {c.name ?? c.id} <span className="text-slate-700">{c.phone ?? c.email ?? c.cardNumber ?? ""}</span>
              </span>
              <Button
                className="shrink-0"
                disabled={issue.isPending}
                aria-label={t("issue.issueTo", { name: c.name ?? c.id })}
                onClick={() => issue.mutate({ id: campaignId, customerId: c.id })}
              >
                {t("issue.issue")}
              </Button>
            </li>
          ))}
          {customers.length === 0 && <li className="text-sm text-slate-700">{t("issue.nobody")}</li>}
        </ul>
      )}
      <MoreCustomersButton found={found}>{t("issue.more")}</MoreCustomersButton>
      <div aria-live="polite" className="mt-3">
        {issue.data && (
          <Alert tone="success">
            {t("issue.issued", { code: issue.data.code, name: issuedTo?.name ?? issue.data.customerId })}
          </Alert>
        )}
      </div>
      {issue.error && <Alert>{describeError(issue.error)}</Alert>}
    </Card>
  );
}
