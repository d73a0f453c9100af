import { useSession } from "../../session.tsx";
import { ItemLink } from "../../ui/item-link.tsx";
import { meta as customersPage } from "../customers/meta.ts";

/**
 * A segment member by id, linking to the customer's page for staff who may open it (analysts may not). Names are
 * not shown: a segment's members come from the analytics store, which keeps ids, not personal data.
 */
export function CustomerLink({ id }: { id: string }) {
  const role = useSession().session?.staff.role;
  const mayOpen = role !== undefined && (customersPage.roles?.includes(role) ?? true);
  if (!mayOpen) return <code className="text-xs">{id}</code>;
  return (
    <ItemLink to={`/customers/${id}`}>
      <code className="text-xs">{id}</code>
    </ItemLink>
  );
}
