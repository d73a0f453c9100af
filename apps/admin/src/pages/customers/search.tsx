import { Alert, Button, describeError, fieldErrors, PageHeader, Spinner, useFormat } from "@regulars/web-ui";
import { createColumnHelper } from "@tanstack/react-table";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { customersFound, type FoundCustomer, useCustomerSearch } from "../../ui/customer-search.ts";
import { DataTable } from "../../ui/data-table.tsx";
import { TextField } from "../../ui/fields.tsx";
import { ItemLink } from "../../ui/item-link.tsx";
import { MoreCustomersButton } from "../../ui/more-customers-button.tsx";

const column = createColumnHelper<FoundCustomer>();

/**
 * The search lives in the address (`?q=`), so going back from a customer shows the same results. A common name finds
 * more customers than one page holds: the older ones follow on "More".
 */
export function CustomerSearch() {
  const { t } = useTranslation("customers");
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const [typed, setTyped] = useState(query);
  const found = useCustomerSearch(query, query !== "");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams(typed.trim() ? { q: typed.trim() } : {});
  };
  const columns = [
    column.accessor("name", {
      header: t("name"),
      cell: (c) => <ItemLink to={`/customers/${c.row.original.id}`}>{c.getValue() ?? t("unnamed")}</ItemLink>,
    }),
    column.accessor("phone", { header: t("phone"), cell: (c) => c.getValue() ?? "—" }),
    column.accessor("email", { header: t("email"), cell: (c) => c.getValue() ?? "—" }),
    column.accessor("cardNumber", { header: t("card"), cell: (c) => c.getValue() ?? "—" }),
    column.accessor("createdAt", { header: t("since"), cell: (c) => format.date(c.getValue()) }),
  ];
  const refused = fieldErrors(found.error).query;

  return (
    <>
      <PageHeader title={t("title")} />
      <search className="mb-4">
        <form onSubmit={submit} className="flex max-w-2xl items-start gap-2">
          <div className="flex-1">
            <TextField
              label={t("search.label")}
              hint={t("search.hint")}
              error={refused}
              type="search"
              className="w-full"
              value={typed}
              onChange={setTyped}
            />
          </div>
          {/* Level with the input: below the field's label. */}
          <Button type="submit" className="mt-6">
            {t("common:search")}
          </Button>
        </form>
      </search>
      {found.isFetching && <Spinner label={t("common:loading")} />}
      {found.error && !refused && <Alert>{describeError(found.error)}</Alert>}
      {found.data && (
        <DataTable
          caption={t("search.caption")}
          columns={columns}
          rows={customersFound(found.data)}
          empty={t("search.empty")}
        />
      )}
      <MoreCustomersButton found={found}>{t("search.more")}</MoreCustomersButton>
    </>
  );
}
