import { Alert, Card, describeError, type RouterOutputs, Spinner, useFormat, useTRPC } from "@regulars/web-ui";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { TableHead } from "../../ui/table-head.tsx";
import { identityLabel, labelOf } from "./codes.ts";
import { Facts } from "./facts.tsx";

type Customer = Extract<RouterOutputs["customers"]["get"], { view: "admin" }>;
const windowNames = ["d7", "d30", "d90", "d365", "lifetime"] as const;

export function ContactCard({ customer }: { customer: Customer }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const or = (value: string | null) => value ?? t("profile.none");
  return (
    <Card title={t("contact.title")}>
      <Facts
        items={[
          { label: t("id"), value: <code className="break-all">{customer.id}</code> },
          { label: t("phone"), value: or(customer.phone) },
          { label: t("email"), value: or(customer.email) },
          { label: t("card"), value: or(customer.cardNumber) },
          {
            label: t("contact.birthday"),
            value: customer.dateOfBirth ? format.calendarDate(customer.dateOfBirth) : or(null),
          },
          { label: t("contact.createdVia"), value: labelOf(t, "channels", customer.createdVia) },
          { label: t("since"), value: format.date(customer.createdAt) },
          {
            label: t("contact.lastActivity"),
            value: customer.lastActivityAt ? format.dateTime(customer.lastActivityAt) : or(null),
          },
          {
            label: t("contact.identities"),
            value: customer.identities.map((i) => identityLabel(t, i)).join(", ") || or(null),
          },
        ]}
      />
    </Card>
  );
}

/** What the customer's orders say about them: counts and value per window, habits, tastes and RFM. */
export function BehaviourCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const profile = useQuery(trpc.customers.profile.queryOptions({ customerId }));
  const none = t("profile.none");
  const body = () => {
    if (profile.error) return <Alert>{describeError(profile.error)}</Alert>;
    if (!profile.data) return <Spinner label={t("common:loading")} />;
    const p = profile.data;
    const scores = p.rfm.scores;
    return (
      <>
        <table className="mb-4 w-full text-left text-sm">
          <caption className="sr-only">{t("profile.caption")}</caption>
          <TableHead
            labels={[t("profile.window"), t("profile.orders"), t("profile.value")]}
            cellClassName={(column) => (column === 0 ? "py-1 font-medium" : "py-1 text-right font-medium")}
          />
          <tbody>
            {windowNames.map((w) => (
              <tr key={w} className="border-t border-slate-100">
                <th scope="row" className="py-1 font-normal text-slate-800">
                  {t(`profile.windows.${w}`)}
                </th>
                <td className="py-1 text-right text-slate-900">{format.number(p.windows[w].orders)}</td>
                <td className="py-1 text-right text-slate-900">{format.money(p.windows[w].value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Facts
          items={[
            { label: t("profile.averageTicket"), value: format.money(p.averageTicket) },
            { label: t("profile.firstOrder"), value: p.firstOrderAt ? format.date(p.firstOrderAt) : none },
            { label: t("profile.lastOrder"), value: p.lastOrderAt ? format.date(p.lastOrderAt) : none },
            {
              label: t("profile.locations"),
              value:
                p.locations
                  .slice(0, 3)
                  .map((l) => `${l.locationId} (${t("profile.visits", { count: l.visits })})`)
                  .join(", ") || none,
            },
            {
              label: t("profile.affinities"),
              value:
                p.affinities
                  .slice(0, 5)
                  .map((a) => `${a.tag} ${format.percent(a.share)}`)
                  .join(", ") || none,
            },
            {
              label: t("profile.channel"),
              value: p.preferredChannel ? labelOf(t, "channels", p.preferredChannel) : none,
            },
            {
              label: t("profile.daypart"),
              value: p.preferredDaypart ? t(`profile.dayparts.${p.preferredDaypart}`) : none,
            },
            { label: t("profile.rfm"), value: scores ? `R${scores.r} F${scores.f} M${scores.m}` : none },
          ]}
        />
      </>
    );
  };
  return <Card title={t("profile.title")}>{body()}</Card>;
}
