import {
  Alert,
  Button,
  Card,
  ConfirmDialog,
  describeError,
  fieldErrors,
  PageHeader,
  type RouterOutputs,
  Select,
  useFormat,
  useTRPC,
} from "@regulars/web-ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import type { StaffRole } from "../../pages.ts";
import { useSession } from "../../session.tsx";
import { DataTable } from "../../ui/data-table.tsx";
import { SelectField, TextField } from "../../ui/fields.tsx";
import { QueryResult } from "../../ui/query-result.tsx";

type Member = RouterOutputs["staff"]["list"][number];
const roles: StaffRole[] = ["owner", "marketer", "operator", "analyst"];
const column = createColumnHelper<Member>();

export default function StaffPage() {
  const { t } = useTranslation("staff");
  const format = useFormat();
  const trpc = useTRPC();
  const me = useSession().session?.staff.id;
  const members = useQuery(trpc.staff.list.queryOptions());
  const columns = [
    column.accessor("name", {
      header: t("name"),
      cell: (c) => (c.row.original.id === me ? `${c.getValue()} (${t("you")})` : c.getValue()),
    }),
    column.accessor("email", { header: t("email") }),
    column.accessor("role", { header: t("role"), cell: (c) => t(`common:roles.${c.getValue()}`) }),
    column.accessor("createdAt", { header: t("addedAt"), cell: (c) => format.date(c.getValue()) }),
    column.display({
      id: "actions",
      header: t("actions"),
      // Owners cannot demote or remove themselves (the server refuses too): another owner must.
      cell: (c) => (c.row.original.id === me ? null : <MemberActions member={c.row.original} />),
    }),
  ];
  return (
    <>
      <PageHeader title={t("title")} />
      <div className="flex flex-col gap-4">
        <AddMemberForm />
        <QueryResult query={members}>
          {(data) => <DataTable caption={t("caption")} columns={columns} rows={data} />}
        </QueryResult>
      </div>
    </>
  );
}

function useRefreshMembers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.staff.list.queryKey() });
}

const emptyForm = { email: "", name: "", role: "marketer" as StaffRole, password: "" };

function AddMemberForm() {
  const { t } = useTranslation("staff");
  const trpc = useTRPC();
  const refresh = useRefreshMembers();
  const [form, setForm] = useState(emptyForm);
  const add = useMutation(
    trpc.staff.add.mutationOptions({
      onSuccess: () => {
        setForm(emptyForm);
        void refresh();
      },
    }),
  );
  const errors = fieldErrors(add.error);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(form);
  };
  const text = (key: "email" | "name" | "password", type: string, autoComplete: string, hint?: string) => (
    <TextField
      label={t(key)}
      error={errors[key]}
      hint={hint}
      type={type}
      autoComplete={autoComplete}
      value={form[key]}
      onChange={set(key)}
    />
  );
  return (
    <Card title={t("add")}>
      <form onSubmit={submit} noValidate className="grid gap-3 md:grid-cols-2">
        {text("email", "email", "off")}
        {text("name", "text", "off")}
        <SelectField
          label={t("role")}
          error={errors.role}
          hint={t(`roleHints.${form.role}`)}
          value={form.role}
          onChange={set("role")}
          options={roles.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))}
        />
        {text("password", "password", "new-password", t("passwordHint"))}
        <div className="md:col-span-2">
          <Button type="submit" disabled={add.isPending}>
            {t("submit")}
          </Button>
        </div>
      </form>
      <div className="mt-3" aria-live="polite">
        {add.error && !Object.keys(errors).length && <Alert>{describeError(add.error)}</Alert>}
        {add.data && !add.error && <Alert tone="success">{t("added", { name: add.data.name })}</Alert>}
      </div>
    </Card>
  );
}

function MemberActions({ member }: { member: Member }) {
  const { t } = useTranslation("staff");
  const trpc = useTRPC();
  const refresh = useRefreshMembers();
  const [role, setRole] = useState<StaffRole>(member.role);
  const setRoleOf = useMutation(trpc.staff.setRole.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(trpc.staff.remove.mutationOptions({ onSuccess: () => void refresh() }));
  const failed = setRoleOf.error ?? remove.error;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <label className="sr-only" htmlFor={`role-${member.id}`}>
          {t("roleOf", { name: member.name })}
        </label>
        <Select id={`role-${member.id}`} value={role} onChange={(e) => setRole(e.target.value as StaffRole)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`common:roles.${r}`)}
            </option>
          ))}
        </Select>
        <Button
          tone="secondary"
          disabled={role === member.role || setRoleOf.isPending}
          onClick={() => setRoleOf.mutate({ id: member.id, role })}
        >
          {t("changeRole")}
        </Button>
        <ConfirmDialog
          trigger={<Button tone="danger">{t("remove")}</Button>}
          title={t("removeTitle", { name: member.name })}
          description={t("removeText", { email: member.email })}
          confirmLabel={t("remove")}
          cancelLabel={t("common:cancel")}
          onConfirm={() => remove.mutate({ id: member.id })}
        />
      </div>
      {failed && <Alert>{describeError(failed)}</Alert>}
    </div>
  );
}
