import { Alert, Badge, describeError, PageHeader, Spinner, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ConsentsTable, LedgerTable, MessagesTable, WalletTable } from "./history.tsx";
import { AdjustForm, LoyaltyCard } from "./loyalty.tsx";
import { PrivacyCard } from "./privacy.tsx";
import { BehaviourCard, ContactCard } from "./profile.tsx";

/** One customer: standing, behaviour, history, consents and messages, and what staff may do about them. */
export function CustomerPage() {
  const { t } = useTranslation("customers");
  const trpc = useTRPC();
  const id = useParams().id!;
  const customer = useQuery(trpc.customers.get.queryOptions({ id }));
  // Staff reach customers only through this view, so it is always the admin one.
  const data = customer.data?.view === "admin" ? customer.data : null;

  return (
    <>
      <Link to="/customers" className="mb-2 inline-block text-sm text-emerald-800 underline">
        ← {t("back")}
      </Link>
      {customer.isPending && <Spinner label={t("common:loading")} />}
      {customer.error && <Alert>{describeError(customer.error)}</Alert>}
      {data && (
        <>
          <PageHeader
            title={
              <>
                {data.name ?? t("unnamed")} {data.erasedAt && <Badge tone="bad">{t("privacy.erasedBadge")}</Badge>}
              </>
            }
          />
          {data.mergedFrom && <Alert tone="info">{t("mergedFrom", { id: data.mergedFrom })}</Alert>}
          <div className="grid gap-4 lg:grid-cols-2">
            <LoyaltyCard customer={data} />
            <AdjustForm customerId={data.id} />
            <ContactCard customer={data} />
            <BehaviourCard customerId={data.id} />
          </div>
          <div className="mt-4 flex flex-col gap-4">
            <LedgerTable customerId={data.id} />
            <WalletTable customerId={data.id} />
            <ConsentsTable customerId={data.id} />
            <MessagesTable customerId={data.id} />
            <PrivacyCard customerId={data.id} erasedAt={data.erasedAt} />
          </div>
        </>
      )}
    </>
  );
}
