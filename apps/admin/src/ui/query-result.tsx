import { Alert, describeError, Spinner } from "@regulars/web-ui";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

interface QueryState<T> {
  isPending: boolean;
  error: unknown;
  data: T | undefined;
}

/**
 * What a list or card shows of its query: a spinner while it loads, why it failed, and its data once there
 * is some. A refetch that fails keeps the data it had on screen under the message.
 */
export function QueryResult<T>({
  query,
  children,
}: {
  query: QueryState<T>;
  children: (data: NonNullable<T>) => ReactNode;
}) {
  const { t } = useTranslation("common");
  return (
    <>
      {query.isPending && <Spinner label={t("loading")} />}
      {query.error ? <Alert>{describeError(query.error)}</Alert> : null}
      {query.data ? children(query.data) : null}
    </>
  );
}

/**
 * An editor's page: a new item when the route names none (`id` undefined), else the one it names, loaded
 * before the form starts so the form's first values are the saved ones.
 */
export function NewOrLoaded<T>({
  id,
  query,
  children,
}: {
  id: string | undefined;
  query: QueryState<T>;
  children: (item: T | null) => ReactNode;
}) {
  const { t } = useTranslation("common");
  if (!id) return children(null);
  if (query.isPending) return <Spinner label={t("loading")} />;
  if (query.error) return <Alert>{describeError(query.error)}</Alert>;
  return query.data === undefined ? null : children(query.data);
}
