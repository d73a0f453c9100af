import {
  Alert,
  Badge,
  Button,
  Card,
  describeError,
  type RouterOutputs,
  Spinner,
  useFormat,
  useTRPC,
  useTRPCClient,
} from "@regulars/web-ui";
import { type UseInfiniteQueryResult, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { type ColumnDef, createColumnHelper } from "@tanstack/react-table";
import { useTranslation } from "react-i18next";
import { DataTable } from "../../ui/data-table.tsx";
import { QueryResult } from "../../ui/query-result.tsx";
import { consentSourceLabel, labelOf, ledgerReason, type WalletCouponState } from "./codes.ts";

type LedgerLine = RouterOutputs["customers"]["ledger"]["items"][number];
type WalletCoupon = RouterOutputs["coupons"]["wallet"][number];
type Consent = RouterOutputs["customers"]["consentHistory"]["items"][number];
type Message = RouterOutputs["messages"]["list"]["items"][number];
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const nextCursor = (page: { nextCursor: string | null }) => page.nextCursor ?? undefined;

/** A paged list as a table, with a button for the older pages. */
function PagedTable<T>({
  title,
  caption,
  more,
  columns,
  query,
}: {
  title: string;
  caption: string;
  more: string;
  // biome-ignore lint/suspicious/noExplicitAny: column value types differ per column
  columns: ColumnDef<T, any>[];
  query: UseInfiniteQueryResult<{ pages: Page<T>[] }, unknown>;
}) {
  const { t } = useTranslation("common");
  return (
    <Card title={title}>
      {query.isPending && <Spinner label={t("loading")} />}
      {query.error ? <Alert>{describeError(query.error)}</Alert> : null}
      {query.data && <DataTable caption={caption} columns={columns} rows={query.data.pages.flatMap((p) => p.items)} />}
      {query.hasNextPage && (
        <Button tone="secondary" className="mt-3" onClick={() => void query.fetchNextPage()}>
          {more}
        </Button>
      )}
    </Card>
  );
}

const ledgerColumn = createColumnHelper<LedgerLine>();

export function LedgerTable({ customerId }: { customerId: string }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const ledger = useInfiniteQuery(
    trpc.customers.ledger.infiniteQueryOptions({ customerId, limit: 20 }, { getNextPageParam: nextCursor }),
  );
  const columns = [
    ledgerColumn.accessor("occurredAt", { header: t("ledger.when"), cell: (c) => format.dateTime(c.getValue()) }),
    ledgerColumn.accessor("kind", { header: t("ledger.kind"), cell: (c) => labelOf(t, "ledger.kinds", c.getValue()) }),
    ledgerColumn.accessor("amount", {
      header: t("ledger.amount"),
      cell: (c) => {
        const line = c.row.original;
        const shown = line.unit === "wallet" ? format.money(line.amount) : format.number(line.amount);
        return line.amount > 0 ? `+${shown}` : shown;
      },
    }),
    ledgerColumn.accessor("reason", {
      header: t("ledger.reason"),
      cell: (c) => {
        const reason = c.getValue();
        if (reason === null) return "—";
        const { label, detail } = ledgerReason(t, reason);
        return detail ? <span title={detail}>{label}</span> : label;
      },
    }),
    ledgerColumn.accessor("transactionId", {
      header: t("ledger.transaction"),
      cell: (c) => <code className="text-xs">{c.getValue() ?? "—"}</code>,
    }),
  ];
  return (
    <PagedTable
      title={t("ledger.title")}
      caption={t("ledger.caption")}
      more={t("ledger.more")}
      columns={columns}
      query={ledger}
    />
  );
}

const walletColumn = createColumnHelper<WalletCoupon>();
const stateTones = {
  active: "good",
  used: "neutral",
  expired: "neutral",
  paused: "warn",
  not_yet_valid: "neutral",
} as const satisfies Record<WalletCouponState, string>;

export function WalletTable({ customerId }: { customerId: string }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const wallet = useQuery(trpc.coupons.wallet.queryOptions({ customerId }));
  const columns = [
    walletColumn.accessor("name", { header: t("wallet.name") }),
    walletColumn.accessor("code", { header: t("wallet.code"), cell: (c) => <code>{c.getValue()}</code> }),
    walletColumn.accessor("issuedAt", { header: t("wallet.issued"), cell: (c) => format.date(c.getValue()) }),
    walletColumn.accessor("uses", { header: t("wallet.uses") }),
    walletColumn.accessor("state", {
      header: t("wallet.status"),
      cell: (c) => <Badge tone={stateTones[c.getValue()]}>{t(`wallet.states.${c.getValue()}`)}</Badge>,
    }),
  ];
  return (
    <Card title={t("wallet.title")}>
      <QueryResult query={wallet}>
        {(data) => <DataTable caption={t("wallet.caption")} columns={columns} rows={data} />}
      </QueryResult>
    </Card>
  );
}

const consentColumn = createColumnHelper<Consent>();

export function ConsentsTable({ customerId }: { customerId: string }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const trpc = useTRPC();
  const consents = useInfiniteQuery(
    trpc.customers.consentHistory.infiniteQueryOptions({ customerId, limit: 20 }, { getNextPageParam: nextCursor }),
  );
  const columns = [
    consentColumn.accessor("channel", {
      header: t("consents.channel"),
      cell: (c) => labelOf(t, "messageChannels", c.getValue()),
    }),
    consentColumn.accessor("purpose", {
      header: t("consents.purpose"),
      cell: (c) => labelOf(t, "consentPurposes", c.getValue()),
    }),
    consentColumn.accessor("granted", {
      header: t("consents.granted"),
      cell: (c) => (
        <Badge tone={c.getValue() ? "good" : "bad"}>{c.getValue() ? t("consents.yes") : t("consents.no")}</Badge>
      ),
    }),
    consentColumn.accessor("source", {
      header: t("consents.source"),
      cell: (c) => consentSourceLabel(t, c.getValue()),
    }),
    consentColumn.accessor("occurredAt", { header: t("consents.when"), cell: (c) => format.dateTime(c.getValue()) }),
  ];
  return (
    <PagedTable
      title={t("consents.title")}
      caption={t("consents.caption")}
      more={t("consents.more")}
      columns={columns}
      query={consents}
    />
  );
}

const messageColumn = createColumnHelper<Message>();

/** Pages of messages.list read through the client: its input is strict, and infinite queries add a `direction`. */
export const customerMessagesKey = (customerId: string) => ["customer-messages", customerId] as const;

export function MessagesTable({ customerId }: { customerId: string }) {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const client = useTRPCClient();
  const messages = useInfiniteQuery({
    queryKey: customerMessagesKey(customerId),
    queryFn: ({ pageParam }) => client.messages.list.query({ customerId, limit: 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: nextCursor,
  });
  const columns = [
    messageColumn.accessor("createdAt", { header: t("ledger.when"), cell: (c) => format.dateTime(c.getValue()) }),
    messageColumn.accessor("channel", {
      header: t("messages.channel"),
      cell: (c) => labelOf(t, "messageChannels", c.getValue()),
    }),
    messageColumn.accessor("status", {
      header: t("messages.status"),
      cell: (c) => labelOf(t, "messageStatuses", c.getValue()),
    }),
    messageColumn.accessor("campaignId", {
      header: t("messages.campaign"),
      cell: (c) =>
        c.row.original.transactional ? (
          t("messages.oneTimeCode")
        ) : (
          <code className="text-xs">{c.getValue() ?? "—"}</code>
        ),
    }),
    messageColumn.accessor("sentAt", {
      header: t("messages.sent"),
      cell: (c) => (c.getValue() ? format.dateTime(c.getValue()!) : "—"),
    }),
  ];
  return (
    <PagedTable
      title={t("messages.title")}
      caption={t("messages.caption")}
      more={t("messages.more")}
      columns={columns}
      query={messages}
    />
  );
}
